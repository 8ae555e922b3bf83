// Serves the browser page on localhost: the page, its script bundled with the
// library (esbuild, in memory: nothing is written to disk), and the model
// files of models/.
//
//   npm run build && node examples/browser/serve.mjs [--port 8080]
//   then open http://localhost:8080/ (or …/?model=./models/brown-char.q8.msgpack)
//
// The bundle is the built package (dist/index.js, what `import 'lstm-stream'`
// gets) plus the page's script, as one minified ES module.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const MODEL_FILE = /^\/models\/([\w.-]+\.msgpack)$/;

/** Bundles app.mjs with the built library into one minified ES module; resolves to its text. */
export async function bundlePage() {
  const result = await build({
    entryPoints: [here('./app.mjs')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    alias: { 'lstm-stream': here('../../dist/index.js') },
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

/** Starts the server (port 0: any free port); resolves to { url, bundleBytes, close() }. */
export async function startServer({ port = 8080, host = '127.0.0.1' } = {}) {
  const bundle = await bundlePage();
  const page = await readFile(here('./index.html'));
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const send = (status, type, body) => {
      response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      response.end(body);
    };
    if (path === '/' || path === '/index.html') return send(200, 'text/html; charset=utf-8', page);
    if (path === '/app.js') return send(200, 'text/javascript; charset=utf-8', bundle);
    const model = MODEL_FILE.exec(path);
    if (model !== null) {
      try {
        return send(200, 'application/octet-stream', await readFile(here(`../../models/${model[1]}`)));
      } catch {
        return send(404, 'text/plain', `no model ${model[1]}\n`);
      }
    }
    send(404, 'text/plain', 'not found\n');
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    url: `http://${host}:${address.port}/`,
    bundleBytes: Buffer.byteLength(bundle),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' } } });
  const { url, bundleBytes } = await startServer({ port: Number(values.port) });
  console.log(`serving the next-word page at ${url} (script bundle ${(bundleBytes / 1024).toFixed(0)} KB); Ctrl-C stops`);
}
