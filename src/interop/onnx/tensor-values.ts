import { ErrorCode } from '../../errors.ts';
import { float16BitsToFloat32 } from '../../math/f16.ts';
import { InteropError } from '../errors.ts';
import type { AllocationBudget } from '../limits.ts';
import { dataTypeName, OnnxDataType, type OnnxTensor } from './onnx-model.ts';

/**
 * The element count of a tensor's dims, or InteropError when a dim is not a
 * non-negative safe integer or the product passes maxTensorElements.
 * `where` names the tensor for messages. Cost: one pass over the dims.
 */
export function elementCount(dims: readonly number[], budget: AllocationBudget, where: string): number {
  let count = 1;
  for (const d of dims) {
    if (!(Number.isSafeInteger(d) && d >= 0)) throw new InteropError(ErrorCode.ONNX_INVALID, `${where} has dimension ${d} in dims [${dims}]`);
    count *= d;
    // Checked as the product grows, so it never leaves the safe-integer range.
    if (count > budget.limits.maxTensorElements) {
      throw new InteropError(ErrorCode.LIMIT_EXCEEDED, `${where} has dims [${dims}], over the maxTensorElements limit of ${budget.limits.maxTensorElements}`);
    }
  }
  return count;
}

/**
 * A float tensor's values as f32: FLOAT, FLOAT16, BFLOAT16 or DOUBLE, from
 * raw_data or the typed repeated field. Checks the value count against the
 * dims and charges the budget before allocating. Throws InteropError naming
 * the tensor: ONNX_UNSUPPORTED (external data), TENSOR_DTYPE_UNSUPPORTED,
 * ONNX_INVALID (a count that does not match), LIMIT_EXCEEDED.
 * Cold path: allocates the f32 values once.
 */
export function floatValues(tensor: OnnxTensor, budget: AllocationBudget, where: string): Float32Array {
  checkInline(tensor, where);
  const count = elementCount(tensor.dims, budget, where);
  const raw = tensor.rawData;
  const type = tensor.dataType;
  const width = type === OnnxDataType.FLOAT ? 4 : type === OnnxDataType.DOUBLE ? 8 : type === OnnxDataType.FLOAT16 || type === OnnxDataType.BFLOAT16 ? 2 : 0;
  if (width === 0) {
    throw new InteropError(ErrorCode.TENSOR_DTYPE_UNSUPPORTED, `${where} is ${dataTypeName(type)}; weights must be FLOAT, FLOAT16, BFLOAT16 or DOUBLE`);
  }
  if (raw !== null) {
    expectCount(raw.length, count * width, where, 'raw_data bytes');
    const values = budget.float32(count, where);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < count; i++) {
      if (width === 4) values[i] = view.getFloat32(4 * i, true);
      else if (width === 8) values[i] = view.getFloat64(8 * i, true);
      else values[i] = halfToFloat(view.getUint16(2 * i, true), type);
    }
    return values;
  }
  // Without raw_data: FLOAT in float_data, DOUBLE in double_data, the 16-bit types as bit patterns in int32_data.
  const source = type === OnnxDataType.FLOAT ? tensor.floatData : type === OnnxDataType.DOUBLE ? tensor.doubleData : tensor.int32Data;
  expectCount(source.length, count, where, 'values');
  const values = budget.float32(count, where);
  for (let i = 0; i < count; i++) values[i] = width === 2 ? halfToFloat(source[i] & 0xffff, type) : source[i];
  return values;
}

const bfloatScratch = new DataView(new ArrayBuffer(4));

function halfToFloat(bits: number, type: number): number {
  if (type === OnnxDataType.FLOAT16) return float16BitsToFloat32(bits);
  // bfloat16 is the top half of an f32.
  bfloatScratch.setUint32(0, bits << 16);
  return bfloatScratch.getFloat32(0);
}

function checkInline(tensor: OnnxTensor, where: string): void {
  if (tensor.external) {
    throw new InteropError(ErrorCode.ONNX_UNSUPPORTED, `${where} keeps its values in an external data file; save the model with its weights inside (onnx.save(model, save_as_external_data=False))`);
  }
}

function expectCount(actual: number, expected: number, where: string, what: string): void {
  if (actual !== expected) throw new InteropError(ErrorCode.ONNX_INVALID, `${where} has ${actual} ${what}, expected ${expected} for its dims`);
}
