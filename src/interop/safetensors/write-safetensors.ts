import { ErrorCode } from '../../errors.ts';
import { float32ToFloat16Bits } from '../../math/f16.ts';
import type { Model } from '../../model/model.ts';
import { toTorchStateDict } from '../../model/torch-state-dict.ts';
import { InteropError } from '../errors.ts';
import { extrasOf } from '../model-extras.ts';
import { float32ToBfloat16Bits, SAFETENSORS_DTYPE_BYTES, SAFETENSORS_FLOAT_DTYPES, type SafetensorsFloatDtype } from './safetensors-dtypes.ts';

/** Options of {@link encodeSafetensors} and {@link exportSafetensors}. */
export interface WriteSafetensorsOptions {
  /** Storage type of every tensor. Default F32. */
  readonly dtype?: SafetensorsFloatDtype;
  /** `__metadata__` strings (safetensors allows only string values). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Writes named f32 tensors as a safetensors file: the 8-byte header length,
 * the JSON header padded with spaces to a multiple of 8 bytes (as the
 * reference writer does, so the data is aligned), then each tensor's bytes,
 * in name order. F16 and BF16 round to nearest even. Throws InteropError
 * TENSOR_DTYPE_UNSUPPORTED for another dtype, TENSOR_DATA_LENGTH when a
 * tensor's data does not fill its shape. Cold path: allocates the file.
 */
export function encodeSafetensors(
  tensors: Readonly<Record<string, { readonly shape: readonly number[]; readonly data: ArrayLike<number> }>>,
  options: WriteSafetensorsOptions = {},
): Uint8Array {
  const dtype = options.dtype ?? 'F32';
  if (!SAFETENSORS_FLOAT_DTYPES.includes(dtype)) {
    throw new InteropError(ErrorCode.TENSOR_DTYPE_UNSUPPORTED, `safetensors dtype ${JSON.stringify(dtype)}; expected one of ${SAFETENSORS_FLOAT_DTYPES.join(', ')}`);
  }
  const width = SAFETENSORS_DTYPE_BYTES[dtype];
  const names = Object.keys(tensors).sort();
  const header: Record<string, unknown> = {};
  if (options.metadata !== undefined) header.__metadata__ = { ...options.metadata };
  let offset = 0;
  for (const name of names) {
    const { shape, data } = tensors[name];
    const elements = shape.reduce((product, d) => product * d, 1);
    if (data.length !== elements) {
      throw new InteropError(ErrorCode.TENSOR_DATA_LENGTH, `tensor ${name} has shape [${shape}] (${elements} elements) but ${data.length} values`);
    }
    header[name] = { dtype, shape: [...shape], data_offsets: [offset, offset + elements * width] };
    offset += elements * width;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const spaces = new Uint8Array(padded).fill(0x20);
    spaces.set(json);
    json = spaces;
  }
  const bytes = new Uint8Array(8 + json.length + offset);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, json.length, true);
  bytes.set(json, 8);
  let at = 8 + json.length;
  for (const name of names) {
    const data = tensors[name].data;
    for (let i = 0; i < data.length; i++, at += width) {
      if (dtype === 'F32') view.setFloat32(at, data[i], true);
      else view.setUint16(at, dtype === 'F16' ? float32ToFloat16Bits(data[i]) : float32ToBfloat16Bits(data[i]), true);
    }
  }
  return bytes;
}

/**
 * A model's weights as a PyTorch-style safetensors file (toTorchStateDict's
 * names: `emb.weight`, `rnn.weight_ih_l0` …, `out.weight`, `out.bias`; the
 * fused bias in bias_ih, zeros in bias_hh; a GRU's two biases as they are;
 * q8 weights dequantized), which `safetensors.torch.load_file` +
 * `load_state_dict` read into the matching nn.Embedding / nn.LSTM / nn.GRU /
 * nn.Linear modules. The vocabulary, tokenizer and metadata go to
 * `__metadata__` as JSON (model-extras.ts). Throws ConfigError
 * (INVALID_CONFIG) for a `gru-reset-before` model, which nn.GRU cannot
 * compute. Cold path.
 */
export function exportSafetensors(model: Model, options: WriteSafetensorsOptions = {}): Uint8Array {
  return encodeSafetensors(toTorchStateDict(model), { ...options, metadata: { ...extrasOf(model), ...options.metadata } });
}
