import { LstmStreamError } from '../errors.ts';
import { exitQuietlyOnClosedPipe } from './closed-pipe.ts';
import type { Command } from './command.ts';
import { convertCommand } from './commands/convert.ts';
import { demoCommand } from './commands/demo.ts';
import { evalCommand } from './commands/eval.ts';
import { generateCommand } from './commands/generate.ts';
import { inspectCommand } from './commands/inspect.ts';
import { learnCommand } from './commands/learn.ts';
import { predictCommand } from './commands/predict.ts';
import { prepareBrownCommand } from './commands/prepare-brown.ts';
import { quantizeCommand } from './commands/quantize.ts';
import { serveCommand } from './commands/serve.ts';
import { startCommand } from './commands/start.ts';
import { trainCommand } from './commands/train.ts';

// Each subcommand lives in its own file under commands/ and is listed here once.
const COMMANDS: readonly Command[] = [
  startCommand,
  predictCommand,
  learnCommand,
  generateCommand,
  evalCommand,
  demoCommand,
  inspectCommand,
  quantizeCommand,
  convertCommand,
  serveCommand,
  trainCommand,
  prepareBrownCommand,
];

function printHelp(): void {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  process.stdout.write(`usage: lstm-stream <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nlstm-stream help <command> shows a command's options.\n`);
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    printHelp();
    return name === undefined ? 2 : 0;
  }
  if (name === 'help') {
    const command = COMMANDS.find((c) => c.name === rest[0]);
    if (command) process.stdout.write(`${command.usage}\n`);
    else printHelp();
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`lstm-stream: unknown command ${JSON.stringify(name)}\n`);
    printHelp();
    return 2;
  }
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
