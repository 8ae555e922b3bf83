import { createInterface, emitKeypressEvents } from 'node:readline';
import { formatSuggestion, type Suggester } from './suggester.ts';

/**
 * Live suggestions. On a terminal every keystroke updates the suggestion line
 * under the text; with piped input each line gets its suggestions. A text
 * ends with Enter (on a terminal), at the end of each piped line, and when
 * the session ends (Ctrl-C or Ctrl-D on a terminal; the end of piped input,
 * or SIGINT/SIGTERM while reading it): each is handed to
 * `suggester.finishText`, so an adapting suggester learns it once. Resolves
 * with the exit status once the last text is finished, so the caller can
 * save what was learned.
 */
export async function runInteractive(suggester: Suggester, k: number): Promise<number> {
  const input = process.stdin;
  const output = process.stdout;
  const format = (text: string): string =>
    suggester.suggest(text, k).map(formatSuggestion).join('  ');
  if (!input.isTTY) {
    const lines = createInterface({ input, terminal: false });
    // A signal ends the input like its end does, so what was read is kept.
    const stop = (): void => lines.close();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      for await (const line of lines) {
        const text = line.endsWith(' ') ? line : `${line} `;
        output.write(`${line}\n  → ${format(text)}\n`);
        suggester.finishText(text);
      }
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    return 0;
  }
  output.write('Type; next-word suggestions follow each keystroke. Enter starts a new text, Ctrl-C ends.\n');
  emitKeypressEvents(input);
  input.setRawMode(true);
  let text = '';
  const render = (): void => {
    // Two lines: the text, and the suggestions under it; redraw both in place.
    output.write(`\r\x1b[2K> ${text}\n\x1b[2K  → ${format(text)}\x1b[1A\r\x1b[${text.length + 2}C`);
  };
  render();
  return new Promise((resolve) => {
    input.on('keypress', (sequence: string | undefined, key: { name?: string; ctrl?: boolean }) => {
      if (key.ctrl && (key.name === 'c' || key.name === 'd')) {
        input.setRawMode(false);
        input.pause();
        output.write('\n\n');
        suggester.finishText(text);
        resolve(0);
        return;
      }
      if (key.name === 'return') {
        output.write('\n\n');
        suggester.finishText(text);
        text = '';
      } else if (key.name === 'backspace') text = text.slice(0, -1);
      else if (sequence !== undefined && sequence.length === 1 && sequence >= ' ') text += sequence;
      render();
    });
  });
}
