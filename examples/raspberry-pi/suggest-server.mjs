// The smallest next-word suggestion handler: loads the model once, then
// answers GET /suggest?text=…&count=5 with JSON
// { "text", "suggestions": [{ "word", "probability" }], "microseconds" }.
// GET /health answers { "ok": true, "model", "rssBytes" }. Stateless: every
// request steps the whole text. The service to deploy is `lstm-stream serve`
// (README.md, docs/SERVE.md: sessions, limits, metrics); this file shows
// the library called from your own HTTP code.
//
//   node examples/raspberry-pi/suggest-server.mjs [--model PATH] [--port 8080] [--host 127.0.0.1]
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { loadModel } from 'lstm-stream';
import { chooseModelPath } from '../shared/model-path.mjs';
import { suggestWords } from '../shared/suggest-words.mjs';

const { values } = parseArgs({ options: { model: { type: 'string' }, port: { type: 'string', default: '8080' }, host: { type: 'string', default: '127.0.0.1' } } });
const modelPath = chooseModelPath(values.model);
const model = await loadModel(modelPath);
// Longer texts cost one step per token; past this the oldest part adds little to the next word.
const MAX_TEXT = 2000;

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const send = (status, body) => {
    const json = JSON.stringify(body);
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    response.end(json);
  };
  if (url.pathname === '/health') return send(200, { ok: true, model: modelPath, rssBytes: process.memoryUsage().rss });
  if (url.pathname !== '/suggest') return send(404, { error: `no route ${url.pathname}; use /suggest?text=… or /health` });
  const text = (url.searchParams.get('text') ?? '').slice(-MAX_TEXT);
  const count = Math.min(20, Math.max(1, Number(url.searchParams.get('count') ?? 5) || 5));
  const started = performance.now();
  const suggestions = suggestWords(model, text, count);
  send(200, { text, suggestions, microseconds: Math.round((performance.now() - started) * 1000) });
});
server.listen(Number(values.port), values.host, () => {
  const { port } = server.address();
  console.log(`suggestions at http://${values.host}:${port}/suggest?text=… (model ${modelPath})`);
});
// systemd stops a service with SIGTERM: close the listener and let requests in flight finish.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
