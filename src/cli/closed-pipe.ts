/** The part of a Node write stream that {@link exitQuietlyOnClosedPipe} uses. */
export interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/**
 * Makes the process end quietly, with exit status 0, when the reader of
 * `stream` goes away: `lstm-stream start | head -3` closes the pipe after three
 * lines, and the next write fails with EPIPE. Node reports that as an 'error'
 * event on process.stdout, and with no listener it prints an unhandled-error
 * stack trace and exits 1. The reader has everything it asked for, so
 * this is the normal end of the command (the shell would otherwise stop a C
 * program here with SIGPIPE). Installed once for stdout and stderr by
 * main.ts, so no command handles it itself. Any other error on the stream is
 * rethrown, as Node would do without a listener. Cost: one listener.
 */
export function exitQuietlyOnClosedPipe(stream: ErrorEmitter, exit: (code: number) => void = (code) => process.exit(code)): void {
  stream.on('error', (error) => {
    if ((error as { code?: unknown }).code === 'EPIPE') {
      exit(0);
      return;
    }
    throw error;
  });
}
