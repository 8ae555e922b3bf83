/**
 * Resolves with the first SIGTERM or SIGINT (what systemd's stop and Ctrl-C
 * send), after which a second SIGINT exits at once with status 130. For
 * commands that serve until told to stop and then finish their work.
 */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      process.once('SIGINT', () => process.exit(130));
      resolve(signal);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
