/**
 * The key of `[Symbol.asyncDispose]()` (`await using`). Node 20 defines
 * Symbol.asyncDispose as Symbol.for('nodejs.asyncDispose'); a runtime without
 * it still gets that registered symbol, so Node's own disposal helpers find the method.
 */
export const asyncDisposeSymbol: symbol =
  (Symbol as unknown as { asyncDispose?: symbol }).asyncDispose ?? Symbol.for('nodejs.asyncDispose');
