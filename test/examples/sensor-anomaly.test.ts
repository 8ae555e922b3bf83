// Runs examples/sensor-anomaly/sensor-anomaly.mjs (train a forecaster, stream
// readings with injected faults through Web Streams, flag anomalies). On Node
// only: the example is a `node …` program (Deno and Bun would run the same).
import { describe, expect, it } from 'vitest';
import { onNode } from '../helpers/runtime.ts';
import { runExample } from './run-example.ts';

interface Summary {
  readings: number;
  trainSeconds: number;
  validationRmse: number;
  threshold: number;
  alerts: number;
  events: { first: number; last: number }[];
  faults: { kind: string; first: number; last: number; found: boolean }[];
  falseAlarms: number;
}

function run(seed: number): Summary {
  const { status, stdout, stderr } = runExample('examples/sensor-anomaly/sensor-anomaly.mjs', ['--json', '--seed', String(seed)]);
  expect(stderr).toBe('');
  expect(status).toBe(0);
  return JSON.parse(stdout) as Summary;
}

describe.skipIf(!onNode)('example: sensor anomaly pipeline', () => {
  it.each([1, 2, 3])('seed %i: every injected fault is flagged, with at most one false alarm', (seed) => {
    const summary = run(seed);
    expect(summary.readings).toBe(2000);
    expect(summary.faults.map((f) => f.kind)).toEqual(['spike', 'stuck', 'noise burst', 'level shift']);
    for (const fault of summary.faults) expect(fault.found, `${fault.kind} at ${fault.first}`).toBe(true);
    expect(summary.falseAlarms).toBeLessThanOrEqual(1);
    // The spike is one reading of +2.5 at 400: an alert lands on it, not only near it.
    expect(summary.events.some((e) => e.first <= 400 && e.last >= 400)).toBe(true);
    // The forecaster learned the signal: its held-out error is near the sensor noise (uniform ±0.05 on
    // input and target), far below the cycle's amplitude of about 1.4; training takes seconds.
    expect(summary.validationRmse).toBeLessThan(0.1);
    expect(summary.trainSeconds).toBeLessThan(30);
  });

  it('prints each alert as it arrives and a summary', () => {
    const { status, stdout } = runExample('examples/sensor-anomaly/sensor-anomaly.mjs', []);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^reading 400: \S+, forecast \S+, error \S+ > \S+: ANOMALY$/m);
    expect(stdout).toMatch(/^spike at readings 400–400: found$/m);
    expect(stdout).toMatch(/false alarm\(s\)$/m);
  });
});
