import { LstmStreamError } from '../errors.ts';
import { exitQuietlyOnClosedPipe } from './closed-pipe.ts';
import type { Command } from './command.ts';

/** A subcommand by name, imported only when it runs (or when help lists it). */
interface CommandEntry {
  readonly name: string;
  readonly load: () => Promise<Command>;
}

// Each subcommand lives in its own file under commands/ and is listed here
// once. They are imported on demand, so `lstm-stream start` parses the code of
// start and what it uses, not the trainer, the importers or the server.
const COMMANDS: readonly CommandEntry[] = [
  { name: 'start', load: async () => (await import('./commands/start.ts')).startCommand },
  { name: 'predict', load: async () => (await import('./commands/predict.ts')).predictCommand },
  { name: 'learn', load: async () => (await import('./commands/learn.ts')).learnCommand },
  { name: 'generate', load: async () => (await import('./commands/generate.ts')).generateCommand },
  { name: 'eval', load: async () => (await import('./commands/eval.ts')).evalCommand },
  { name: 'demo', load: async () => (await import('./commands/demo.ts')).demoCommand },
  { name: 'inspect', load: async () => (await import('./commands/inspect.ts')).inspectCommand },
  { name: 'quantize', load: async () => (await import('./commands/quantize.ts')).quantizeCommand },
  { name: 'convert', load: async () => (await import('./commands/convert.ts')).convertCommand },
  { name: 'serve', load: async () => (await import('./commands/serve.ts')).serveCommand },
  { name: 'train', load: async () => (await import('./commands/train.ts')).trainCommand },
  { name: 'prepare-brown', load: async () => (await import('./commands/prepare-brown.ts')).prepareBrownCommand },
];

async function printHelp(): Promise<void> {
  const commands = await Promise.all(COMMANDS.map((entry) => entry.load()));
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  process.stdout.write(`usage: lstm-stream <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nlstm-stream help <command> shows a command's options.\n`);
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    await printHelp();
    return name === undefined ? 2 : 0;
  }
  if (name === 'help') {
    const entry = COMMANDS.find((c) => c.name === rest[0]);
    if (entry) process.stdout.write(`${(await entry.load()).usage}\n`);
    else await printHelp();
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`lstm-stream: unknown command ${JSON.stringify(name)}\n`);
    await printHelp();
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    // node:util parseArgs rejects unknown or malformed options with these codes.
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`lstm-stream ${name}: ${(error as Error).message}\n\n${command.usage}\n`);
      return 2;
    }
    if (error instanceof LstmStreamError) {
      process.stderr.write(`lstm-stream ${name}: ${error.message} [${error.code}]\n`);
      return 1;
    }
    throw error;
  }
}

// A reader that closes early (`lstm-stream start | head -3`) ends every command
// quietly, handled here once rather than in each command.
exitQuietlyOnClosedPipe(process.stdout);
exitQuietlyOnClosedPipe(process.stderr);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`lstm-stream: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
