// TensorFlow.js for the bench peers: loaded from this checkout's node_modules
// on the backend asked for, and that backend named as the tables show it.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../package.json', import.meta.url));

/** @tensorflow/tfjs on the 'cpu' or 'wasm' backend (the wasm binaries from their package's folder), ready. */
export async function tfjsOnBackend(backend) {
  const tf = require('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(require.resolve('@tensorflow/tfjs-backend-wasm').replace(/[^/]*$/, ''));
  }
  await tf.setBackend(backend);
  await tf.ready();
  return tf;
}

/** "TF.js 4.22.0 wasm (SIMD)" and the like. */
export function tfjsName(tf, backend) {
  const simd = backend === 'wasm' ? (tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? ' (SIMD)' : ' (no SIMD)') : '';
  return `TF.js ${tf.version.tfjs} ${backend}${simd}`;
}
