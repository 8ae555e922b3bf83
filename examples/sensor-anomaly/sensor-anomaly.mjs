// A sensor stream pipeline: readings are pushed into a stream, an LSTM
// forecaster predicts each next reading, and a reading whose forecast error
// is above a threshold is flagged as it arrives. Everything is wired with
// Web Streams:
//
//   readings (ReadableStream) ─► forecaster (model.stream().toTransformStream())
//                             ─► detector (TransformStream) ─► alerts (WritableStream)
//
// The forecaster is trained here, in seconds, by lstm-stream's trainer on a
// fault-free stretch of the same generated signal (dense input, linear head,
// mean squared error); the threshold comes from its errors on a fault-free
// validation stretch. The live stretch has faults injected at known places.
//
//   node examples/sensor-anomaly/sensor-anomaly.mjs          # alerts as they arrive, then a summary
//   node examples/sensor-anomaly/sensor-anomaly.mjs --json   # the summary as one JSON object
import { parseArgs } from 'node:util';
import { SeededRandom, createRandomModel } from 'lstm-stream';
import { train } from 'lstm-stream/train';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, seed: { type: 'string', default: '1' } } });
const seed = Number(values.seed);

/** A day-like cycle of 48 readings with a faster ripple and sensor noise (±0.05). */
function cleanSignal(random, start, length) {
  const signal = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const t = start + i;
    signal[i] = Math.sin((2 * Math.PI * t) / 48) + 0.4 * Math.sin((2 * Math.PI * t) / 11) + random.uniform(-0.05, 0.05);
  }
  return signal;
}

/** Faults injected into the live stretch: [first, last] reading indices and what happens there. */
const FAULTS = [
  { kind: 'spike', first: 400, last: 400 },
  { kind: 'stuck', first: 900, last: 950 },
  { kind: 'noise burst', first: 1300, last: 1330 },
  { kind: 'level shift', first: 1700, last: 1760 },
];

function injectFaults(signal, random) {
  const faulty = signal.slice();
  for (const fault of FAULTS) {
    for (let t = fault.first; t <= fault.last; t++) {
      if (fault.kind === 'spike') faulty[t] += 2.5;
      else if (fault.kind === 'stuck') faulty[t] = faulty[fault.first];
      else if (fault.kind === 'noise burst') faulty[t] += random.uniform(-1, 1);
      else faulty[t] += 1.2;
    }
  }
  return faulty;
}

/** Next-value data: input reading t, target reading t+1. */
function forecastData(signal) {
  return { inputs: signal.subarray(0, signal.length - 1), targets: signal.subarray(1), inputWidth: 1, targetWidth: 1 };
}

const random = new SeededRandom(seed);
const trainSignal = cleanSignal(random, 0, 6000);
const validSignal = cleanSignal(random, 6000, 1500);
const live = injectFaults(cleanSignal(random, 7500, 2000), random);

// 1. Train the forecaster (seconds).
const started = performance.now();
const untrained = createRandomModel({ cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 1, hiddenSize: 16, numLayers: 1, head: 'linear', outputSize: 1 }, { seed });
const result = await train(untrained, { train: forecastData(trainSignal), validation: forecastData(validSignal), batchSize: 10, window: 24, epochs: 8, learningRate: 0.01, validationBatchSize: 1, seed });
const trainSeconds = (performance.now() - started) / 1000;
const forecaster = result.model;

// 2. The threshold: far above the forecaster's errors on fault-free readings it never trained on.
const check = forecaster.session();
const errors = [];
let previous = null;
for (const reading of validSignal) {
  if (previous !== null) errors.push(Math.abs(previous - reading));
  previous = check.step(Float32Array.of(reading))[0];
}
errors.sort((a, b) => a - b);
const typicalError = errors[Math.floor(errors.length * 0.99)];
const threshold = 3 * typicalError;

// 3. The live pipeline.
const readings = new ReadableStream({
  start(controller) {
    for (const reading of live) controller.enqueue(Float32Array.of(reading));
    controller.close();
  },
});
const forecast = forecaster.stream({ highWaterMark: 8 }).toTransformStream();
// The forecaster starts from a zero state and needs about half a cycle of readings before its forecasts mean anything.
const WARM_UP = 24;
let forecastForThis = null;
let index = 0;
const detector = new TransformStream({
  transform({ input, output }, controller) {
    const reading = input[0];
    if (index >= WARM_UP) {
      const error = Math.abs(reading - forecastForThis);
      if (error > threshold) controller.enqueue({ index, reading, forecast: forecastForThis, error });
    }
    forecastForThis = output[0];
    index++;
  },
});
const alerts = [];
await readings
  .pipeThrough(forecast)
  .pipeThrough(detector)
  .pipeTo(
    new WritableStream({
      write(alert) {
        alerts.push(alert);
        if (!values.json) {
          console.log(`reading ${alert.index}: ${alert.reading.toFixed(3)}, forecast ${alert.forecast.toFixed(3)}, error ${alert.error.toFixed(3)} > ${threshold.toFixed(3)}: ANOMALY`);
        }
      },
    }),
  );

// 4. Alerts within 10 readings of each other are one event; an event that touches a fault (or
// the 10 readings after it, while the forecaster recovers from the faulty inputs) found it.
const events = [];
for (const alert of alerts) {
  const last = events[events.length - 1];
  if (last !== undefined && alert.index - last.last <= 10) last.last = alert.index;
  else events.push({ first: alert.index, last: alert.index });
}
const touches = (event, fault) => event.first <= fault.last + 10 && event.last >= fault.first;
const faults = FAULTS.map((fault) => ({ ...fault, found: events.some((event) => touches(event, fault)) }));
const falseAlarms = events.filter((event) => !FAULTS.some((fault) => touches(event, fault)));
const summary = {
  readings: live.length,
  trainSeconds: Number(trainSeconds.toFixed(2)),
  validationRmse: Number(Math.sqrt(result.history[result.history.length - 1].validLoss).toFixed(4)),
  threshold: Number(threshold.toFixed(4)),
  alerts: alerts.length,
  events,
  faults,
  falseAlarms: falseAlarms.length,
};
if (values.json) {
  console.log(JSON.stringify(summary));
} else {
  console.log(`\ntrained in ${summary.trainSeconds} s (validation RMSE ${summary.validationRmse}); threshold ${summary.threshold}`);
  for (const fault of faults) console.log(`${fault.kind} at readings ${fault.first}–${fault.last}: ${fault.found ? 'found' : 'MISSED'}`);
  console.log(`${alerts.length} alerts in ${events.length} events; ${falseAlarms.length} false alarm(s)`);
}
