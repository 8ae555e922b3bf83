import { createInterface, emitKeypressEvents } from 'node:readline';
import { formatSuggestion, type Suggester } from './suggester.ts';

/**
 * Live suggestions. On a terminal every keystroke updates the suggestion line
 * under the text; with piped input each line gets its suggestions. Enter
 * starts a new text (on a terminal), Ctrl-C or Ctrl-D ends.
 */
export async function runInteractive(suggester: Suggester, k: number): Promise<number> {
  const input = process.stdin;
  const output = process.stdout;
  const format = (text: string): string =>
    suggester.suggest(text, k).map(formatSuggestion).join('  ');
  if (!input.isTTY) {
    const lines = createInterface({ input, terminal: false });
    for await (const line of lines) output.write(`${line}\n  → ${format(line.endsWith(' ') ? line : `${line} `)}\n`);
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
        resolve(0);
        return;
      }
      if (key.name === 'return') {
        output.write('\n\n');
        text = '';
      } else if (key.name === 'backspace') text = text.slice(0, -1);
      else if (sequence !== undefined && sequence.length === 1 && sequence >= ' ') text += sequence;
      render();
    });
  });
}
