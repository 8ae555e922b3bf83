import type { DeviceForecaster } from './device-forecaster.ts';

/** Limits of a {@link DeviceTable}. */
export interface DeviceTableLimits {
  /** Devices held at once; one more evicts the least recently used. */
  readonly maxDevices: number;
  /** A device silent this long (ms) is dropped. */
  readonly deviceIdleMs: number;
}

/**
 * The device sessions of an MQTT bridge, by device id, in least-recently-used
 * order (a Map's insertion order: a use moves the entry to the end), so the
 * device to evict or expire first is always the first entry. Unlike the HTTP
 * session table it never refuses: a reading cannot be answered "retry later",
 * so a new device always gets a session and the quietest one goes (its next
 * reading starts a fresh session, `seq` 1). Cost: O(1) per use, amortized;
 * memory: the sessions themselves.
 */
export class DeviceTable {
  /** Device sessions made, evicted to make room, and dropped for being idle, since the table was made. */
  created = 0;
  evicted = 0;
  expired = 0;
  private readonly entries = new Map<string, DeviceForecaster>();
  private readonly limits: DeviceTableLimits;

  constructor(limits: DeviceTableLimits) {
    this.limits = limits;
  }

  /** Devices held now. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The device's session, marked as used at `now`; made by `make()` when the
   * device is new or its session expired (evicting the least recently used
   * device when the table is full). Whatever `make` throws propagates and
   * nothing changes.
   */
  use(device: string, now: number, make: () => DeviceForecaster): DeviceForecaster {
    let forecaster = this.entries.get(device);
    if (forecaster !== undefined && now - forecaster.lastUsed >= this.limits.deviceIdleMs) {
      this.entries.delete(device);
      this.expired++;
      forecaster = undefined;
    }
    if (forecaster === undefined) {
      forecaster = make();
      this.dropExpired(now);
      if (this.entries.size >= this.limits.maxDevices) {
        const oldest = this.entries.keys().next().value as string;
        this.entries.delete(oldest);
        this.evicted++;
      }
      this.created++;
    } else {
      this.entries.delete(device);
    }
    forecaster.lastUsed = now;
    this.entries.set(device, forecaster);
    return forecaster;
  }

  /** The device's session without marking it used; undefined when the bridge holds none. */
  peek(device: string): DeviceForecaster | undefined {
    return this.entries.get(device);
  }

  /** Drops every device silent deviceIdleMs or longer (what the periodic sweep calls); returns how many. */
  dropExpired(now: number): number {
    let dropped = 0;
    for (const forecaster of this.entries.values()) {
      if (now - forecaster.lastUsed < this.limits.deviceIdleMs) break; // the rest were used later
      this.entries.delete(forecaster.device);
      dropped++;
    }
    this.expired += dropped;
    return dropped;
  }

  /** Forgets every device (at close). */
  clear(): void {
    this.entries.clear();
  }
}
