/**
 * A first-in first-out queue. With a capacity it is a fixed ring buffer
 * (slots allocated once); without one it grows as needed and gives memory
 * back when drained. Emptied slots are cleared so queued items can be collected.
 */
export class Fifo<T> {
  private slots: (T | undefined)[];
  private head = 0;
  private count = 0;
  private readonly fixed: boolean;

  /** `capacity` > 0 makes a fixed ring of that many slots; 0 makes a growable queue (starts at 4 slots). */
  constructor(capacity = 0) {
    this.fixed = capacity > 0;
    this.slots = new Array<T | undefined>(this.fixed ? capacity : 4);
  }

  get length(): number {
    return this.count;
  }

  /** True when a fixed ring has no free slot (never for a growable queue). */
  get full(): boolean {
    return this.fixed && this.count === this.slots.length;
  }

  /** Appends. A full fixed ring throws RangeError (callers check `full` first: a programming error). */
  push(item: T): void {
    if (this.count === this.slots.length) {
      if (this.fixed) throw new RangeError('Fifo: push into a full ring');
      this.grow();
    }
    this.slots[(this.head + this.count) % this.slots.length] = item;
    this.count++;
  }

  /** Removes and returns the oldest item; undefined when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.slots.length;
    this.count--;
    if (!this.fixed && this.count === 0 && this.slots.length > 64) {
      this.slots = new Array<T | undefined>(4);
      this.head = 0;
    }
    return item;
  }

  /** Removes every item, oldest first, handing each to `visit`. */
  drain(visit: (item: T) => void): void {
    while (this.count > 0) visit(this.shift() as T);
  }

  private grow(): void {
    const bigger = new Array<T | undefined>(this.slots.length * 2);
    for (let i = 0; i < this.count; i++) bigger[i] = this.slots[(this.head + i) % this.slots.length];
    this.slots = bigger;
    this.head = 0;
  }
}
