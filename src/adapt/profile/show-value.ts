/**
 * A short, safe rendering of a value for an error message: never a whole
 * array or binary (a hostile file's megabytes), strings cut at 60 characters.
 * Cost: one short string.
 */
export function showValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'missing';
  if (value instanceof Uint8Array) return `binary(${value.length})`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}(${(value as unknown as ArrayLike<unknown>).length ?? value.byteLength})`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'a map';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
