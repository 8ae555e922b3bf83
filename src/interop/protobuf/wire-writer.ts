import { WireType } from './wire-reader.ts';

const TWO_POW_32 = 2 ** 32;
const utf8 = new TextEncoder();

/**
 * Writes protobuf wire format into a growing buffer: tags, varints (int64
 * two's complement for negatives), fixed-width floats, length-delimited
 * bytes, strings and embedded messages, packed repeated numbers. The writer
 * of an ONNX file. Cold path: the buffer doubles as it fills; an embedded
 * message is written into its own writer and copied once.
 */
export class WireWriter {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  /** Bytes written so far. */
  length = 0;

  /** A varint field (int32, int64, enum); `value` must be a safe integer. */
  int(field: number, value: number): this {
    this.tag(field, WireType.VARINT);
    this.varint(value);
    return this;
  }

  /** A float field (fixed32). */
  float(field: number, value: number): this {
    this.tag(field, WireType.FIXED32);
    this.reserve(4);
    this.view.setFloat32(this.length, value, true);
    this.length += 4;
    return this;
  }

  /** A string field, UTF-8. */
  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** A bytes field. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WireType.LENGTH_DELIMITED);
    this.varint(value.length);
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
    return this;
  }

  /** An embedded message field: the bytes another writer wrote. */
  message(field: number, message: WireWriter): this {
    return this.bytes(field, message.finish());
  }

  /** A packed repeated int64/int32 field (skipped when empty, as proto3 does). */
  packedInts(field: number, values: readonly number[]): this {
    if (values.length === 0) return this;
    const inner = new WireWriter();
    for (const value of values) inner.varint(value);
    return this.message(field, inner);
  }

  /** A packed repeated float field (skipped when empty). */
  packedFloats(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    this.tag(field, WireType.LENGTH_DELIMITED);
    this.varint(values.length * 4);
    this.reserve(values.length * 4);
    for (let i = 0; i < values.length; i++) this.view.setFloat32(this.length + 4 * i, values[i], true);
    this.length += values.length * 4;
    return this;
  }

  /** The bytes written, as a view of the internal buffer (valid until the next write). */
  finish(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  private tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  private varint(value: number): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`protobuf varint ${value} is not a safe integer`);
    this.reserve(10);
    let low: number;
    let high: number;
    if (value >= 0) {
      low = value % TWO_POW_32;
      high = (value - low) / TWO_POW_32;
    } else {
      // int64 two's complement: negatives always take ten bytes.
      const magnitudeLow = -value % TWO_POW_32;
      const magnitudeHigh = (-value - magnitudeLow) / TWO_POW_32;
      low = (TWO_POW_32 - magnitudeLow) % TWO_POW_32;
      high = (TWO_POW_32 - magnitudeHigh - (magnitudeLow === 0 ? 0 : 1)) % TWO_POW_32;
    }
    while (high > 0 || low > 0x7f) {
      this.buffer[this.length++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | ((high & 0x7f) << 25)) >>> 0;
      high = high >>> 7;
    }
    this.buffer[this.length++] = low;
  }

  private reserve(count: number): void {
    if (this.length + count <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + count) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
}
