import { describe, expect, it } from 'vitest';
import * as interop from '../../src/interop/index.ts';
import { LstmStreamError } from '../../src/errors.ts';

// The future lstm-stream/interop entry: what it exports, and that its error class is the library's.
describe('interop entry', () => {
  it('exports the importers, exporters and the error class', () => {
    for (const name of ['importSafetensors', 'readSafetensors', 'exportSafetensors', 'encodeSafetensors', 'importOnnx', 'exportOnnx', 'decodeOnnx', 'encodeOnnx', 'mapTorchKeys', 'importTfjsLayers', 'exportTfjsLayers']) {
      expect(typeof (interop as Record<string, unknown>)[name]).toBe('function');
    }
    expect(new interop.InteropError('ONNX_INVALID', 'x')).toBeInstanceOf(LstmStreamError);
  });
});
