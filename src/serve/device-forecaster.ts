import type { Model } from '../model/model.ts';

/** What the bridge needs of a device's model session: Session, or anything that steps the same way. */
export interface ForecastSession {
  /** Steps one reading (length inputSize); returns a borrowed view of the output (outputSize) that the next step overwrites. */
  step(input: Float32Array): Float32Array;
}

/** What a device session factory is told about the device. */
export interface DeviceContext {
  /** The device id: the text of the subscription's `+` level. */
  readonly device: string;
}

/** Makes the model session behind one device; each call must return a session of its own. */
export type DeviceSessionFactory = (model: Model, context: DeviceContext) => ForecastSession;

/**
 * One device's stream: its model session, the forecast it made for the next
 * reading, and how many readings it has scored. Scoring a reading steps the
 * session once and rates the reading against the forecast made before it.
 * Memory: the session plus one forecast of outputSize floats.
 */
export class DeviceForecaster {
  readonly device: string;
  /** Where this device's results are published (computed once). */
  readonly resultTopic: string;
  /** Readings scored since this session was made: the `seq` of the last result (1 for the first). */
  seq = 0;
  /** When it last scored a reading (ms, the bridge's clock), for idle expiry. */
  lastUsed: number;
  /** The last reading's anomaly score (null: no forecast to compare with). */
  anomaly: number | null = null;
  private readonly session: ForecastSession;
  /** The forecast made after the previous reading: what this reading was expected to be. */
  private readonly forecast: Float32Array; // [outputSize]
  /** Whether the forecast is comparable with a reading (outputSize === inputSize). */
  private readonly comparable: boolean;

  constructor(device: string, resultTopic: string, session: ForecastSession, inputSize: number, outputSize: number, now: number) {
    this.device = device;
    this.resultTopic = resultTopic;
    this.session = session;
    this.forecast = new Float32Array(outputSize);
    this.comparable = outputSize === inputSize;
    this.lastUsed = now;
  }

  /**
   * Scores one reading: the anomaly is the root mean square difference
   * between the reading and the forecast made after the previous reading
   * (|reading − forecast| for one value); null for the device's first reading
   * and for a model whose output is not a reading (outputSize ≠ inputSize).
   * Then steps the session and keeps its output as the next forecast.
   * Cost: one model step and outputSize floats copied; no allocation.
   */
  score(reading: Float32Array): void {
    this.anomaly = this.seq > 0 && this.comparable ? rmsDifference(reading, this.forecast) : null;
    this.forecast.set(this.session.step(reading));
    this.seq++;
  }

  /** The last result as the JSON text `{"seq":n,"forecast":[…],"anomaly":x|null}`. Allocates the text. */
  resultJson(): string {
    const forecast = this.forecast;
    let json = `{"seq":${this.seq},"forecast":[`;
    for (let i = 0; i < forecast.length; i++) json += (i === 0 ? '' : ',') + jsonNumber(forecast[i]);
    return `${json}],"anomaly":${this.anomaly === null ? 'null' : jsonNumber(this.anomaly)}}`;
  }

  /** The forecast of the next reading, made by the last score (a borrowed view that the next score overwrites). */
  get nextForecast(): Float32Array {
    return this.forecast;
  }
}

function rmsDifference(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return Math.sqrt(sum / a.length);
}

/** A number as JSON writes it; null for a value JSON cannot carry (a model whose output overflowed). */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}
