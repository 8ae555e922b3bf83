import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import { InteropError } from '../../src/interop/errors.ts';
import { WireReader, WireType } from '../../src/interop/protobuf/wire-reader.ts';
import { WireWriter } from '../../src/interop/protobuf/wire-writer.ts';

function reader(bytes: number[]): WireReader {
  return new WireReader(Uint8Array.from(bytes), 0, bytes.length, 'Test');
}

describe('protobuf wire format', () => {
  // Encodings from the protobuf documentation (encoding guide) and two's-complement int64.
  it.each([
    [0, [0x08, 0x00]],
    [1, [0x08, 0x01]],
    [150, [0x08, 0x96, 0x01]],
    [300, [0x08, 0xac, 0x02]],
    [2 ** 32, [0x08, 0x80, 0x80, 0x80, 0x80, 0x10]],
    [-1, [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    [-2, [0x08, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
    [Number.MAX_SAFE_INTEGER, [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]],
  ])('int64 %d is written as the documented bytes and read back', (value, bytes) => {
    expect(Array.from(new WireWriter().int(1, value).finish())).toEqual(bytes);
    const r = reader(bytes);
    expect(r.readTag()).toBe(1);
    expect(r.wireType).toBe(WireType.VARINT);
    expect(r.readInt64()).toBe(value);
    expect(r.done).toBe(true);
  });

  it('reads INT64_MAX (torch writes it as a Slice end) as the nearest double', () => {
    expect(reader([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]).readInt64()).toBe(2 ** 63);
  });

  it('reads strings, floats and packed and unpacked repeated fields', () => {
    const bytes = new WireWriter().string(2, 'LSTM').float(3, 1.5).packedInts(4, [3, 300, -1]).packedFloats(5, [0.25, -2]).finish();
    const r = new WireReader(bytes, 0, bytes.length, 'Test');
    expect(r.readTag()).toBe(2);
    expect(r.readString()).toBe('LSTM');
    expect(r.readTag()).toBe(3);
    expect(r.readFloat()).toBe(1.5);
    expect(r.readTag()).toBe(4);
    const charged: number[] = [];
    expect(r.readRepeated([], WireType.VARINT, (x) => x.readInt64(), (n) => charged.push(n))).toEqual([3, 300, -1]);
    expect(r.readTag()).toBe(5);
    expect(r.readRepeated([], WireType.FIXED32, (x) => x.readFloat(), (n) => charged.push(n))).toEqual([0.25, -2]);
    expect(charged).toEqual([13, 2]); // the varint run is charged by its byte count, an upper bound
    const unpacked = reader([0x25, 0, 0, 0x80, 0x3f]); // field 4, FIXED32, 1.0
    unpacked.readTag();
    expect(unpacked.readRepeated([], WireType.FIXED32, (x) => x.readFloat(), () => {})).toEqual([1]);
  });

  const failures: [string, number[], string, RegExp][] = [
    ['a truncated varint', [0x08, 0x96], ErrorCode.TRUNCATED, /a varint at byte 1/],
    ['an 11-byte varint', [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], ErrorCode.PROTOBUF_INVALID, /longer than 64 bits/],
    ['a tenth varint byte over 1', [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02], ErrorCode.PROTOBUF_INVALID, /longer than 64 bits/],
    ['a length past the end', [0x12, 0x05, 0x41], ErrorCode.TRUNCATED, /a field of 5 bytes \(1 remain in Test\)/],
    ['a huge length', [0x12, 0xff, 0xff, 0xff, 0xff, 0x0f], ErrorCode.TRUNCATED, /a field of 4294967295 bytes/],
    ['field number 0', [0x00, 0x01], ErrorCode.PROTOBUF_INVALID, /field number 0/],
    ['wire type 6', [0x0e], ErrorCode.PROTOBUF_INVALID, /wire type 6/],
    ['a group', [0x0b], ErrorCode.PROTOBUF_INVALID, /group/],
    ['a truncated float', [0x15, 0x00, 0x00], ErrorCode.TRUNCATED, /4-byte value/],
    ['invalid UTF-8', [0x12, 0x01, 0xff], ErrorCode.PROTOBUF_INVALID, /not valid UTF-8/],
  ];
  it.each(failures)('%s is a typed error with the byte offset', (_name, bytes, code, message) => {
    const run = (): void => {
      const r = reader(bytes);
      while (!r.done) {
        r.readTag();
        if (r.wireType === WireType.LENGTH_DELIMITED) r.readString();
        else r.skip();
      }
    };
    expect(run).toThrow(InteropError);
    try {
      run();
    } catch (error) {
      expect((error as InteropError).code).toBe(code);
      expect((error as InteropError).message).toMatch(message);
    }
  });

  it('a packed float run whose length is not a multiple of 4', () => {
    const r = reader([0x22, 0x03, 0, 0, 0]);
    r.readTag();
    expect(() => r.readRepeated([], WireType.FIXED32, (x) => x.readFloat(), () => {})).toThrow(/not a multiple of 4/);
  });
});
