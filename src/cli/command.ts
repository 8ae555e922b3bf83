/** One `lstm-stream` subcommand. `run` gets the arguments after the command name and returns an exit code. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full usage text for `lstm-stream help NAME`. */
  readonly usage: string;
  run(args: string[]): Promise<number>;
}
