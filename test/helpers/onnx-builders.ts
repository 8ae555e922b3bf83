import { emptyAttribute, emptyTensor, OnnxAttributeType, OnnxDataType, type OnnxAttribute, type OnnxTensor } from '../../src/interop/onnx/onnx-model.ts';

// Small builders for ONNX graphs written by hand in tests, independently of
// the library's exporter.

/** A FLOAT initializer in raw_data. */
export function floatTensor(name: string, dims: number[], values: Float32Array): OnnxTensor {
  const tensor = emptyTensor();
  tensor.name = name;
  tensor.dims = dims;
  tensor.dataType = OnnxDataType.FLOAT;
  tensor.rawData = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  return tensor;
}

/** An INT64 initializer of shape [values.length] (or `dims`). */
export function int64Tensor(name: string, values: number[], dims: number[] = [values.length]): OnnxTensor {
  const tensor = emptyTensor();
  tensor.name = name;
  tensor.dims = dims;
  tensor.dataType = OnnxDataType.INT64;
  tensor.int64Data = values;
  return tensor;
}

/** An INT attribute. */
export function intAttribute(name: string, value: number): OnnxAttribute {
  return { ...emptyAttribute(), name, type: OnnxAttributeType.INT, i: value };
}

/** A FLOAT attribute. */
export function floatAttribute(name: string, value: number): OnnxAttribute {
  return { ...emptyAttribute(), name, type: OnnxAttributeType.FLOAT, f: value };
}

/** A STRING attribute. */
export function stringAttribute(name: string, value: string): OnnxAttribute {
  return { ...emptyAttribute(), name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(value) };
}

/** A STRINGS attribute. */
export function stringsAttribute(name: string, values: string[]): OnnxAttribute {
  return { ...emptyAttribute(), name, type: OnnxAttributeType.STRINGS, strings: values.map((v) => new TextEncoder().encode(v)) };
}

/** Uniform values in [-scale, scale) from a seeded LCG: the same numbers on every runtime. */
export function seededUniform(seed: number, count: number, scale: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (2 * (state / 4294967296) - 1) * scale;
  }
  return out;
}

/** A FLOATS attribute. */
export function floatsAttribute(name: string, values: number[]): OnnxAttribute {
  return { ...emptyAttribute(), name, type: OnnxAttributeType.FLOATS, floats: values };
}
