import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ErrorCode } from '../../errors.ts';
import { ServeError } from '../../serve/serve-error.ts';
import { DEFAULT_SERVE_OPTIONS, type SuggestServerOptions } from '../../serve/serve-options.ts';
import { createSuggestServer } from '../../serve/suggest-server.ts';
import type { Command } from '../command.ts';
import { loadModelArgument } from '../model-argument.ts';
import { integerFlag, isLoopback, secondsFlag } from './serve-flags.ts';
import { MQTT_FLAGS, MQTT_USAGE, runMqttService } from './serve-mqtt.ts';
import { untilStopSignal } from './stop-signal.ts';

const d = DEFAULT_SERVE_OPTIONS;

const USAGE = `usage: lstm-stream serve [MODEL] [--port N] [--host ADDR] [options]

Serves next-word suggestions over HTTP (docs/SERVE.md): a client makes a
session (POST /v1/sessions) and sends its text field's whole text on every
keystroke (PUT /v1/sessions/ID/text); each session steps only what changed.
GET /v1/suggest?text=… answers without a session; GET /healthz and
GET /metrics (Prometheus) watch it. MODEL defaults to the shipped model.
SIGTERM or SIGINT stops it after the requests in flight (a second SIGINT
stops it at once).

  --port N               port (default ${d.port}; 0 picks a free one, printed at start)
  --host ADDR            address to bind (default ${d.host}, this machine only;
                         anything else serves the network: use --token-file)
  --token-file PATH      require "Authorization: Bearer <the file's token>"
  --cors ORIGIN          allow browser calls from ORIGIN (or *); off by default
  --max-sessions N       sessions held at once (default ${d.maxSessions})
  --evict-idle SECONDS   when full, evict the least recently used session if
                         idle this long, else answer 429 (default ${d.evictIdleAfterMs / 1000})
  --idle-timeout SECONDS drop a session unused this long (default ${d.sessionIdleMs / 1000})
  --max-body BYTES       largest request body (default ${d.maxBodyBytes})
  --max-text CHARS       longest text (default ${d.maxTextLength})
  --max-in-flight N      requests handled at once (default ${d.maxInFlight})
  --body-timeout SECONDS time for a request body to arrive (default ${d.bodyTimeoutMs / 1000})
  --adapt                each session learns its writer (its own recency cache
                         and new words, each finished word once) and has
                         GET/PUT/DELETE /v1/sessions/ID/profile; about 2.5 MB
                         more per session with the shipped model
  --max-profile BYTES    largest profile a PUT accepts (default ${d.maxProfileBytes})
${MQTT_USAGE}`;

/** `lstm-stream serve`: the suggestion service, or with --mqtt the MQTT forecasting bridge (src/serve/), until SIGTERM or SIGINT. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve next-word suggestions over HTTP (sessions, limits, metrics), or sensor forecasts over MQTT (--mqtt)',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'token-file': { type: 'string' },
        cors: { type: 'string' },
        'max-sessions': { type: 'string' },
        'evict-idle': { type: 'string' },
        'idle-timeout': { type: 'string' },
        'max-body': { type: 'string' },
        'max-text': { type: 'string' },
        'max-in-flight': { type: 'string' },
        'body-timeout': { type: 'string' },
        adapt: { type: 'boolean' },
        'max-profile': { type: 'string' },
        ...MQTT_FLAGS,
      },
    });
    if (positionals.length > 1) throw new ServeError(ErrorCode.SERVE_OPTION_INVALID, `serve takes one model file; got ${positionals.length} arguments`);
    if (values.mqtt !== undefined) {
      for (const flag of ['adapt', 'max-profile'] as const) {
        if (values[flag] !== undefined) throw new ServeError(ErrorCode.SERVE_OPTION_INVALID, `--${flag} is for the HTTP service; it does not go with --mqtt`);
      }
      return runMqttService(values, positionals[0], values['token-file'] === undefined ? null : readToken(values['token-file']));
    }
    for (const flag of Object.keys(MQTT_FLAGS) as (keyof typeof MQTT_FLAGS)[]) {
      if (values[flag] !== undefined) throw new ServeError(ErrorCode.SERVE_OPTION_INVALID, `--${flag} needs --mqtt URL`);
    }
    const options: SuggestServerOptions = {
      port: integerFlag(values.port, '--port'),
      host: values.host,
      token: values['token-file'] === undefined ? null : readToken(values['token-file']),
      corsOrigin: values.cors ?? null,
      maxSessions: integerFlag(values['max-sessions'], '--max-sessions'),
      evictIdleAfterMs: secondsFlag(values['evict-idle'], '--evict-idle'),
      sessionIdleMs: secondsFlag(values['idle-timeout'], '--idle-timeout'),
      maxBodyBytes: integerFlag(values['max-body'], '--max-body'),
      maxTextLength: integerFlag(values['max-text'], '--max-text'),
      maxInFlight: integerFlag(values['max-in-flight'], '--max-in-flight'),
      bodyTimeoutMs: secondsFlag(values['body-timeout'], '--body-timeout'),
      adapt: values.adapt === true,
      maxProfileBytes: integerFlag(values['max-profile'], '--max-profile'),
    };
    const modelPath = positionals[0];
    const model = await loadModelArgument(modelPath);
    const server = createSuggestServer(model, options);
    const address = await server.listen();
    const limits = server.options;
    process.stdout.write(
      `lstm-stream serve: listening on ${address.url} (model ${modelPath ?? 'the shipped default'}; up to ${limits.maxSessions} sessions${limits.adapt === null ? '' : ', each adapting to its writer'}${limits.token === null ? '' : '; bearer token required'})\n`,
    );
    if (!isLoopback(address.host) && !isLoopback(limits.host)) {
      process.stderr.write(
        `lstm-stream serve: warning: bound to ${address.host}, so other machines can reach this service${limits.token === null ? ' without a token (--token-file)' : ''}; put it behind a firewall or a TLS proxy\n`,
      );
    }
    const signal = await untilStopSignal();
    process.stderr.write(`lstm-stream serve: ${signal}: finishing the requests in flight\n`);
    await server.close().catch(() => {});
    process.stderr.write('lstm-stream serve: stopped\n');
    return 0;
  },
};

/** The token in a file (surrounding whitespace dropped), warning when others may read the file. */
function readToken(path: string): string {
  let token: string;
  try {
    token = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new ServeError(ErrorCode.SERVE_OPTION_INVALID, `--token-file ${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (token === '' || /\s/.test(token)) throw new ServeError(ErrorCode.SERVE_OPTION_INVALID, `--token-file ${path} must hold one token without spaces`);
  if (process.platform !== 'win32' && (statSync(path).mode & 0o077) !== 0) {
    process.stderr.write(`lstm-stream serve: warning: ${path} can be read by other users (chmod 600 it)\n`);
  }
  return token;
}
