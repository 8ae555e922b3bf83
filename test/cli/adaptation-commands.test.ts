// The adaptation commands on the shipped model, through the built CLI (dist/cli.js,
// built by npm test before the suites): learn → predict --profile suggests an
// invented name, predict --interactive --profile learns as you type and saves
// on exit (end of piped input, SIGINT), eval --adapt --scores is causal.
// Node only: it starts the CLI.
// test/fixtures/brown-sample.txt is lines 1,000–1,499 of the Brown test split
// (data/brown/test.txt from prepare-brown), so a fresh clone has tokens to score.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { onNode } from '../helpers/runtime.ts';

const root = resolve(import.meta.dirname, '../..');
const cli = join(root, 'dist/cli.js');
const model = join(root, 'models/brown-lstm.q8.msgpack');
const work = mkdtempSync(join(tmpdir(), 'lstm-stream-adapt-cli-'));

function run(args: string[]): string {
  return execFileSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
}

interface Suggestion {
  token: string;
  text: string;
  probability: number;
}

// "Quarnell" is invented: the Brown vocabulary reads it as <unk>.
const ABOUT_A_NAME = `My neighbour Quarnell works at the mill . Every morning Quarnell walks to the river .

Yesterday I told Quarnell about the meeting , and Quarnell said he would come . I asked Quarnell to bring the papers .

When the rain started , Quarnell ran home . I called Quarnell in the evening and told Quarnell the news .`;

describe.skipIf(!onNode)('adaptation commands on the shipped model', () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('learn reads a few sentences about Quarnell; predict --profile then suggests the name in the top 5 after "I told", and never <unk>', () => {
    const text = join(work, 'quarnell.txt');
    const profile = join(work, 'writer.profile');
    writeFileSync(text, ABOUT_A_NAME);
    const learned = run(['learn', model, text, '--profile', profile, '--adapt-parameters', 'recurrent']);
    expect(learned).toMatch(/new words? .*Quarnell/);
    const adapted = JSON.parse(run(['predict', model, '--profile', profile, '--json', 'The next day I told '])) as Suggestion[];
    console.log(`adapted: ${adapted.map((s) => `${s.text} ${(100 * s.probability).toFixed(1)}%`).join(', ')}`);
    expect(adapted.slice(0, 5).map((s) => s.text)).toContain('Quarnell');
    const plain = JSON.parse(run(['predict', model, '--json', 'The next day I told '])) as Suggestion[];
    expect(plain.map((s) => s.text)).not.toContain('Quarnell');
    for (const list of [adapted, plain]) expect(list.map((s) => s.token)).not.toContain('<unk>');
    // Learning again updates the same profile: the name is counted twice as often.
    expect(run(['learn', model, text, '--profile', profile, '--adapt-parameters', 'recurrent'])).toMatch(/0 this time/);
  });

  // "Brellivan" is invented too; typed line by line into the live mode, it is learned and saved on exit.
  const TYPED_LINES = [
    'My neighbour Brellivan works at the mill . Every morning Brellivan walks to the river .',
    'Yesterday I told Brellivan about the meeting , and Brellivan said he would come . I asked Brellivan to bring the papers .',
    'When the rain started , Brellivan ran home . I called Brellivan in the evening and told Brellivan the news .',
    'The next day I told',
  ];

  it('predict --interactive --profile learns from piped lines as they are read and saves the profile at the end of the input; predict --profile then suggests the name', () => {
    const profile = join(work, 'typed.profile');
    expect(existsSync(profile)).toBe(false);
    const live = execFileSync(process.execPath, [cli, 'predict', model, '--interactive', '--profile', profile, '--adapt-parameters', 'recurrent'], {
      cwd: root,
      encoding: 'utf8',
      input: `${TYPED_LINES.join('\n')}\n`,
      timeout: 120_000,
    });
    // Live: after the last line the name is already among the suggestions (learned from the lines before).
    const lastSuggestions = live.trim().split('\n').at(-1)!;
    expect(lastSuggestions).toMatch(/^ {2}→ .*Brellivan/);
    expect(existsSync(profile)).toBe(true);
    const adapted = JSON.parse(run(['predict', model, '--profile', profile, '--json', 'Then I told '])) as Suggestion[];
    console.log(`typed profile: ${adapted.map((s) => `${s.text} ${(100 * s.probability).toFixed(1)}%`).join(', ')}`);
    expect(adapted.slice(0, 5).map((s) => s.text)).toContain('Brellivan');
    expect(adapted.map((s) => s.token)).not.toContain('<unk>');
    const plain = JSON.parse(run(['predict', model, '--json', 'Then I told '])) as Suggestion[];
    expect(plain.map((s) => s.text)).not.toContain('Brellivan');
  });

  it('predict --interactive --profile saves what was read when SIGINT arrives while it waits for more input', async () => {
    const profile = join(work, 'interrupted.profile');
    const child = spawn(process.execPath, [cli, 'predict', model, '--interactive', '--profile', profile, '--dynamic', 'off'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.stdin.write(`${TYPED_LINES[0]}\n`);
    // The input stays open: wait for the line's suggestions, then interrupt.
    const deadline = Date.now() + 60_000;
    while (!stdout.includes('→') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/saved .*interrupted\.profile \(\d+ bytes; \d+ tokens read in all, \d+ new words?\)/);
    const adapted = JSON.parse(run(['predict', model, '--profile', profile, '--dynamic', 'off', '--json', 'Every morning '])) as Suggestion[];
    expect(adapted.map((s) => s.text)).toContain('Brellivan');
  });

  it('eval --adapt --scores is causal: two token files sharing their first 200 tokens score them identically', () => {
    const lines = readFileSync(join(root, 'test/fixtures/brown-sample.txt'), 'utf8').trim().split('\n');
    const shared = lines.slice(0, 200);
    const first = join(work, 'first.txt');
    const second = join(work, 'second.txt');
    writeFileSync(first, [...shared, ...lines.slice(300, 360)].join('\n'));
    writeFileSync(second, [...shared, ...lines.slice(400, 460)].join('\n'));
    const scores = (file: string, out: string): number[] => {
      run(['eval', model, file, '--adapt', '--segment', '7', '--json', '--scores', out]);
      return readFileSync(out, 'utf8').trim().split('\n').map(Number);
    };
    const a = scores(first, join(work, 'a.scores'));
    const b = scores(second, join(work, 'b.scores'));
    expect(a.length).toBe(260);
    expect(a.slice(0, 200)).toEqual(b.slice(0, 200));
    expect(a.slice(200)).not.toEqual(b.slice(200));
    // And adaptation is on: the scores differ from the static model's.
    run(['eval', model, first, '--json', '--scores', join(work, 'static.scores')]);
    const stat = readFileSync(join(work, 'static.scores'), 'utf8').trim().split('\n').map(Number);
    expect(stat.slice(0, 200)).not.toEqual(a.slice(0, 200));
  });
});
