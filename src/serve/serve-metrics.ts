/** Upper bounds (seconds) of the latency histogram's buckets: 0.5 ms to 10 s. */
export const LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  readonly counts: number[]; // [buckets + 1], the last one +Inf; not cumulative
  sum: number;
  count: number;
}

/** Gauges read when the metrics are rendered rather than kept. */
export interface MetricGauges {
  readonly sessions: number;
  /** Sessions with an adaptation of their own (all of them on an adapting server, else 0). */
  readonly adaptedSessions: number;
  readonly inFlight: number;
  readonly sessionsCreated: number;
  readonly evictions: number;
  readonly expirations: number;
  readonly residentBytes: number;
  readonly heapUsedBytes: number;
}

/**
 * The counters behind GET /metrics, rendered in the Prometheus text format
 * (version 0.0.4). Label values come from fixed sets (route templates, not
 * paths; error codes), so the series stay few whatever clients send.
 * Cost: a Map lookup per request; rendering is O(series).
 */
export class ServeMetrics {
  /** Tokens the trackers stepped: the server's work, independent of the machine's speed. */
  trackerSteps = 0;
  /** Requests whose client went away before the answer was sent. */
  aborted = 0;
  /** Tokens taught to the sessions' learners (each finished token of a text once). */
  tokensTaught = 0;
  /** Profiles sent (GET …/profile), applied (PUT), refused (PUT with a body that is not a usable profile) and forgotten (DELETE). */
  profilesSaved = 0;
  profilesLoaded = 0;
  profilesRefused = 0;
  profilesForgotten = 0;
  private readonly requests = new Map<string, number>(); // `${method}\t${route}\t${status}`
  private readonly latency = new Map<string, Histogram>(); // by route
  private readonly rejected = new Map<string, number>(); // by error code

  /** Counts one answered request and its latency (seconds, from its headers to the end of the answer). */
  recordRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method}\t${route}\t${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    let histogram = this.latency.get(route);
    if (histogram === undefined) {
      histogram = { counts: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
      this.latency.set(route, histogram);
    }
    let bucket = 0;
    while (bucket < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[bucket]) bucket++;
    histogram.counts[bucket]++;
    histogram.sum += seconds;
    histogram.count++;
  }

  /** Counts a request refused or failed with an error answer, by its code. */
  recordRejection(code: string): void {
    this.rejected.set(code, (this.rejected.get(code) ?? 0) + 1);
  }

  /** The requests answered so far with this status on this route (for tests and health). */
  requestCount(method: string, route: string, status: number): number {
    return this.requests.get(`${method}\t${route}\t${status}`) ?? 0;
  }

  /** The Prometheus text exposition of everything counted, plus the gauges given. Allocates the text. */
  render(gauges: MetricGauges): string {
    const lines: string[] = [];
    const family = (name: string, type: string, help: string): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    };
    family('lstm_stream_http_requests_total', 'counter', 'HTTP requests answered, by method, route and status.');
    for (const [key, count] of this.requests) {
      const [method, route, status] = key.split('\t');
      lines.push(`lstm_stream_http_requests_total{method="${method}",route="${escapeLabel(route)}",status="${status}"} ${count}`);
    }
    family('lstm_stream_http_request_duration_seconds', 'histogram', 'Time from a request\'s headers to the end of its answer, by route.');
    for (const [route, histogram] of this.latency) {
      const label = `route="${escapeLabel(route)}"`;
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((bound, i) => {
        cumulative += histogram.counts[i];
        lines.push(`lstm_stream_http_request_duration_seconds_bucket{${label},le="${bound}"} ${cumulative}`);
      });
      lines.push(`lstm_stream_http_request_duration_seconds_bucket{${label},le="+Inf"} ${histogram.count}`);
      lines.push(`lstm_stream_http_request_duration_seconds_sum{${label}} ${histogram.sum}`);
      lines.push(`lstm_stream_http_request_duration_seconds_count{${label}} ${histogram.count}`);
    }
    family('lstm_stream_rejected_requests_total', 'counter', 'Requests answered with an error, by error code (docs/SERVE.md).');
    for (const [code, count] of this.rejected) lines.push(`lstm_stream_rejected_requests_total{code="${code}"} ${count}`);
    family('lstm_stream_requests_aborted_total', 'counter', 'Requests whose client went away before the answer.');
    lines.push(`lstm_stream_requests_aborted_total ${this.aborted}`);
    family('lstm_stream_requests_in_flight', 'gauge', 'Requests being handled now.');
    lines.push(`lstm_stream_requests_in_flight ${gauges.inFlight}`);
    family('lstm_stream_sessions', 'gauge', 'Client sessions held now.');
    lines.push(`lstm_stream_sessions ${gauges.sessions}`);
    family('lstm_stream_sessions_created_total', 'counter', 'Client sessions created.');
    lines.push(`lstm_stream_sessions_created_total ${gauges.sessionsCreated}`);
    family('lstm_stream_session_evictions_total', 'counter', 'Sessions evicted, least recently used first, to make room for a new one.');
    lines.push(`lstm_stream_session_evictions_total ${gauges.evictions}`);
    family('lstm_stream_sessions_expired_total', 'counter', 'Sessions dropped after being idle too long.');
    lines.push(`lstm_stream_sessions_expired_total ${gauges.expirations}`);
    family('lstm_stream_tracker_steps_total', 'counter', 'Model steps the text trackers took (one per token read).');
    lines.push(`lstm_stream_tracker_steps_total ${this.trackerSteps}`);
    family('lstm_stream_adapted_sessions', 'gauge', 'Client sessions adapting to their writer (each with its own cache and new words).');
    lines.push(`lstm_stream_adapted_sessions ${gauges.adaptedSessions}`);
    family('lstm_stream_tokens_taught_total', 'counter', 'Tokens taught to the sessions\' learners (each finished token of a text once).');
    lines.push(`lstm_stream_tokens_taught_total ${this.tokensTaught}`);
    family('lstm_stream_profiles_saved_total', 'counter', 'Adaptation profiles sent to clients (GET /v1/sessions/{id}/profile).');
    lines.push(`lstm_stream_profiles_saved_total ${this.profilesSaved}`);
    family('lstm_stream_profiles_loaded_total', 'counter', 'Adaptation profiles applied to sessions (PUT /v1/sessions/{id}/profile).');
    lines.push(`lstm_stream_profiles_loaded_total ${this.profilesLoaded}`);
    family('lstm_stream_profiles_refused_total', 'counter', 'Adaptation profiles refused (PUT): not a profile, damaged, or not for this model and server (the code is in lstm_stream_rejected_requests_total).');
    lines.push(`lstm_stream_profiles_refused_total ${this.profilesRefused}`);
    family('lstm_stream_profiles_forgotten_total', 'counter', 'Sessions told to forget what they learned (DELETE /v1/sessions/{id}/profile).');
    lines.push(`lstm_stream_profiles_forgotten_total ${this.profilesForgotten}`);
    family('process_resident_memory_bytes', 'gauge', 'Resident set size of the server process.');
    lines.push(`process_resident_memory_bytes ${gauges.residentBytes}`);
    family('lstm_stream_heap_used_bytes', 'gauge', 'JavaScript heap in use.');
    lines.push(`lstm_stream_heap_used_bytes ${gauges.heapUsedBytes}`);
    return `${lines.join('\n')}\n`;
  }
}

/** A label value as the text format wants it: backslash, quote and newline escaped. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
