import { ErrorCode } from '../../errors.ts';
import { InteropError } from '../errors.ts';

/** Protocol Buffers wire types (https://protobuf.dev/programming-guides/encoding/). */
export const WireType = {
  VARINT: 0,
  FIXED64: 1,
  LENGTH_DELIMITED: 2,
  START_GROUP: 3,
  END_GROUP: 4,
  FIXED32: 5,
} as const;

const TWO_POW_32 = 2 ** 32;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A bounds-checked cursor over one protobuf message: bytes[start … end).
 * Every read checks that it stays inside the message, varints are at most
 * ten bytes, lengths never point past the end, and groups (unused by ONNX)
 * are refused, so malformed input ends in an InteropError (TRUNCATED or
 * PROTOBUF_INVALID, with the byte offset and `message`, the message's name)
 * after at most one pass: every read advances the cursor.
 * Cost: no allocation except the strings and sub-readers asked for.
 */
export class WireReader {
  readonly bytes: Uint8Array;
  readonly end: number;
  /** The message being read, for error messages (e.g. "NodeProto"). */
  readonly message: string;
  /** Offset of the next byte to read. */
  position: number;
  /** Wire type of the tag read last. */
  wireType = 0;
  private view: DataView | null = null;

  constructor(bytes: Uint8Array, start: number, end: number, message: string) {
    this.bytes = bytes;
    this.position = start;
    this.end = end;
    this.message = message;
  }

  /** True when the whole message has been read. */
  get done(): boolean {
    return this.position >= this.end;
  }

  /** Reads a field tag; returns its field number and keeps its wire type in {@link wireType}. */
  readTag(): number {
    const at = this.position;
    const tag = this.readVarint();
    const field = Math.floor(tag / 8);
    this.wireType = tag % 8;
    if (field === 0 || field > 0x1fffffff) throw this.invalid(at, `field number ${field} is not valid`);
    if (this.wireType > WireType.FIXED32) throw this.invalid(at, `wire type ${this.wireType} of field ${field} does not exist`);
    if (this.wireType === WireType.START_GROUP || this.wireType === WireType.END_GROUP) {
      throw this.invalid(at, `field ${field} is a group, which ONNX never uses`);
    }
    return field;
  }

  /** An unsigned varint as a number (exact below 2^53; larger ones lose low bits). */
  readVarint(): number {
    this.readVarint64();
    return this.high * TWO_POW_32 + this.low;
  }

  /** A varint read as a two's-complement int64 (proto int64/int32 fields), as a number. */
  readInt64(): number {
    this.readVarint64();
    return this.high >= 0x80000000 ? (this.high - TWO_POW_32) * TWO_POW_32 + this.low : this.high * TWO_POW_32 + this.low;
  }

  /** An int32 field: a varint, truncated to 32 bits as protobuf does. */
  readInt32(): number {
    this.readVarint64();
    return this.low | 0;
  }

  /** A little-endian IEEE float (wire type FIXED32). */
  readFloat(): number {
    const at = this.need(4);
    return this.dataView().getFloat32(at, true);
  }

  /** A little-endian IEEE double (wire type FIXED64). */
  readDouble(): number {
    const at = this.need(8);
    return this.dataView().getFloat64(at, true);
  }

  /** A length-delimited field's bytes, as a view into the buffer (not a copy). */
  readBytes(): Uint8Array {
    const [start, end] = this.readSpan();
    return this.bytes.subarray(start, end);
  }

  /** A length-delimited field as UTF-8 text; invalid UTF-8 is PROTOBUF_INVALID. */
  readString(): string {
    const at = this.position;
    const bytes = this.readBytes();
    try {
      return utf8.decode(bytes);
    } catch (error) {
      throw this.invalid(at, 'a string field is not valid UTF-8', error);
    }
  }

  /** A reader over an embedded message (a length-delimited field). */
  readMessage(message: string): WireReader {
    const [start, end] = this.readSpan();
    return new WireReader(this.bytes, start, end, message);
  }

  /** Skips the value of a field of the current {@link wireType}. */
  skip(): void {
    switch (this.wireType) {
      case WireType.VARINT:
        this.readVarint64();
        return;
      case WireType.FIXED64:
        this.need(8);
        return;
      case WireType.FIXED32:
        this.need(4);
        return;
      default:
        this.readSpan();
    }
  }

  /** Throws PROTOBUF_INVALID unless the current field has the wire type a schema expects for `name`. */
  expect(wireType: number, name: string): void {
    if (this.wireType !== wireType) {
      throw this.invalid(this.position, `${this.message}.${name} has wire type ${this.wireType}, expected ${wireType}`);
    }
  }

  /**
   * Reads a repeated numeric field, packed (one length-delimited run) or not
   * (one element per tag), appending to `values`. `read` reads one element.
   * `charge(count)` is called before a packed run is decoded, with its most
   * possible element count, so the caller can refuse it. Returns values.
   */
  readRepeated(values: number[], elementWireType: number, read: (reader: WireReader) => number, charge: (count: number) => void): number[] {
    if (this.wireType === elementWireType) {
      values.push(read(this));
      return values;
    }
    if (this.wireType !== WireType.LENGTH_DELIMITED) {
      throw this.invalid(this.position, `a repeated field of ${this.message} has wire type ${this.wireType}`);
    }
    const [start, end] = this.readSpan();
    const width = elementWireType === WireType.FIXED32 ? 4 : elementWireType === WireType.FIXED64 ? 8 : 1;
    if (width > 1 && (end - start) % width !== 0) {
      throw this.invalid(start, `a packed field of ${this.message} is ${end - start} bytes, not a multiple of ${width}`);
    }
    charge(Math.ceil((end - start) / width));
    const inner = new WireReader(this.bytes, start, end, this.message);
    inner.view = this.view;
    inner.wireType = elementWireType;
    while (!inner.done) values.push(read(inner));
    return values;
  }

  // The last varint read, as two unsigned 32-bit halves.
  private low = 0;
  private high = 0;

  private readVarint64(): void {
    const start = this.position;
    let low = 0;
    let high = 0;
    for (let i = 0; i < 10; i++) {
      if (this.position >= this.end) throw this.truncated(start, 'a varint');
      const byte = this.bytes[this.position++];
      const bits = byte & 0x7f;
      if (i < 4) low |= bits << (7 * i);
      else if (i === 4) {
        low |= (bits & 0x0f) << 28;
        high |= bits >>> 4;
      } else {
        if (i === 9 && byte > 1) throw this.invalid(start, 'a varint is longer than 64 bits');
        high |= bits << (7 * i - 32);
      }
      if ((byte & 0x80) === 0) {
        this.low = low >>> 0;
        this.high = high >>> 0;
        return;
      }
    }
    throw this.invalid(start, 'a varint is longer than ten bytes');
  }

  private readSpan(): [number, number] {
    const at = this.position;
    const length = this.readVarint();
    if (length > this.end - this.position) {
      throw this.truncated(at, `a field of ${length} bytes (${this.end - this.position} remain in ${this.message})`);
    }
    const start = this.position;
    this.position += length;
    return [start, this.position];
  }

  private need(count: number): number {
    const at = this.position;
    if (count > this.end - at) throw this.truncated(at, `a ${count}-byte value`);
    this.position += count;
    return at;
  }

  private dataView(): DataView {
    if (this.view === null) this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    return this.view;
  }

  private truncated(at: number, what: string): InteropError {
    return new InteropError(ErrorCode.TRUNCATED, `protobuf is truncated: ${what} at byte ${at} runs past the end of ${this.message}`);
  }

  /** A PROTOBUF_INVALID error at byte `at` of this message. */
  invalid(at: number, why: string, cause?: unknown): InteropError {
    return new InteropError(ErrorCode.PROTOBUF_INVALID, `${why} (byte ${at}, in ${this.message})`, { cause });
  }
}
