/** Gauges of the bridge read when the metrics are rendered rather than kept. */
export interface MqttGauges {
  readonly connected: boolean;
  readonly devices: number;
  readonly devicesCreated: number;
  readonly devicesEvicted: number;
  readonly devicesExpired: number;
}

/** Everything the bridge has counted, as plain numbers (for a status line, tests and health). */
export interface MqttBridgeStats extends MqttGauges {
  /** Messages that arrived on the subscription, well-formed or not. */
  readonly messages: number;
  /** Readings stepped and answered with a result. */
  readonly scored: number;
  /** Results the broker acknowledged (QoS 1 PUBACK). */
  readonly published: number;
  /** Results or reports the client could not publish (it was closed before the broker acknowledged them). */
  readonly publishFailures: number;
  /** Messages refused (malformed, wrong size …), all codes together. */
  readonly errors: number;
  /** Refused messages by code (READING_MALFORMED …). */
  readonly errorsByCode: Readonly<Record<string, number>>;
  /** Connections lost after being established. */
  readonly disconnects: number;
  /** Connections made again after a loss (each one subscribed again when the broker forgot the subscription). */
  readonly reconnects: number;
  /** Milliseconds from the last connection loss to being connected again; null before any. */
  readonly lastOutageMs: number | null;
}

/**
 * The counters of an MQTT bridge, rendered in the Prometheus text format
 * beside (or instead of) the HTTP server's. Error codes come from a fixed
 * set, so the series stay few whatever devices send. Cost: an increment per
 * message; rendering is O(series).
 */
export class MqttMetrics {
  messages = 0;
  scored = 0;
  published = 0;
  publishFailures = 0;
  disconnects = 0;
  reconnects = 0;
  lastOutageMs: number | null = null;
  private readonly errors = new Map<string, number>(); // by code

  /** Counts a refused message by its code. */
  recordError(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  /** The counters and the gauges given, as plain numbers. Allocates the object. */
  stats(gauges: MqttGauges): MqttBridgeStats {
    let errors = 0;
    for (const count of this.errors.values()) errors += count;
    return {
      ...gauges,
      messages: this.messages,
      scored: this.scored,
      published: this.published,
      publishFailures: this.publishFailures,
      errors,
      errorsByCode: Object.fromEntries(this.errors),
      disconnects: this.disconnects,
      reconnects: this.reconnects,
      lastOutageMs: this.lastOutageMs,
    };
  }

  /** The Prometheus text exposition (version 0.0.4) of everything counted, plus the gauges given. Allocates the text. */
  render(gauges: MqttGauges): string {
    const lines: string[] = [];
    const series = (name: string, type: string, help: string, value: number): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
    };
    series('lstm_stream_mqtt_connected', 'gauge', 'Whether the bridge is connected to its broker and subscribed (1) or not (0).', gauges.connected ? 1 : 0);
    series('lstm_stream_mqtt_messages_total', 'counter', 'Messages that arrived on the subscription, well-formed or not.', this.messages);
    series('lstm_stream_mqtt_readings_scored_total', 'counter', 'Readings stepped and answered with a result.', this.scored);
    series('lstm_stream_mqtt_results_published_total', 'counter', 'Results the broker acknowledged (QoS 1).', this.published);
    series('lstm_stream_mqtt_publish_failures_total', 'counter', 'Results or error reports that could not be published.', this.publishFailures);
    lines.push('# HELP lstm_stream_mqtt_errors_total Messages refused, by code (docs/SERVE.md, MQTT).', '# TYPE lstm_stream_mqtt_errors_total counter');
    for (const [code, count] of this.errors) lines.push(`lstm_stream_mqtt_errors_total{code="${code}"} ${count}`);
    series('lstm_stream_mqtt_devices', 'gauge', 'Device sessions held now.', gauges.devices);
    series('lstm_stream_mqtt_devices_created_total', 'counter', 'Device sessions made.', gauges.devicesCreated);
    series('lstm_stream_mqtt_device_evictions_total', 'counter', 'Device sessions evicted, least recently used first, to make room for a new device.', gauges.devicesEvicted);
    series('lstm_stream_mqtt_devices_expired_total', 'counter', 'Device sessions dropped after being silent too long.', gauges.devicesExpired);
    series('lstm_stream_mqtt_disconnects_total', 'counter', 'Connections to the broker lost.', this.disconnects);
    series('lstm_stream_mqtt_reconnects_total', 'counter', 'Connections to the broker made again after a loss.', this.reconnects);
    if (this.lastOutageMs !== null) {
      series('lstm_stream_mqtt_last_outage_seconds', 'gauge', 'Time from the last connection loss to being connected again.', this.lastOutageMs / 1000);
    }
    return `${lines.join('\n')}\n`;
  }
}
