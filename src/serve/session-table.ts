import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../errors.ts';
import type { TextTracker } from '../text/text-tracker.ts';
import { ClientAdaptation } from './client-adaptation.ts';
import { HttpError } from './serve-error.ts';

/** One client session: its tracker, what it learned of its writer (adapting servers), and when it was last used. */
export interface ClientSession {
  readonly id: string;
  /** Steps the session's text; over an adaptation, its editor. */
  readonly tracker: TextTracker;
  /** The session's own adaptation (learner, editor, profile); null when the server does not adapt. */
  readonly adaptation: ClientAdaptation | null;
  lastUsed: number;
}

/** Limits of a {@link SessionTable}. */
export interface SessionTableLimits {
  readonly maxSessions: number;
  /** Idle this long (ms): expired. */
  readonly sessionIdleMs: number;
  /** When full, the least recently used session is evicted if idle this long (ms); else 429. */
  readonly evictIdleAfterMs: number;
}

/**
 * The client sessions of a server, by unguessable id, in least-recently-used
 * order (a Map's insertion order: a use moves the entry to the end), so the
 * session to evict or expire first is always the first entry. Cost: O(1) per
 * create, get and delete (amortized: expired sessions are dropped from the
 * front as they are met); memory: the sessions themselves.
 */
export class SessionTable {
  /** Sessions created, evicted to make room, and dropped for being idle, since the table was made. */
  created = 0;
  evicted = 0;
  expired = 0;
  private readonly entries = new Map<string, ClientSession>();
  private readonly limits: SessionTableLimits;
  private readonly now: () => number;

  constructor(limits: SessionTableLimits, now: () => number = Date.now) {
    this.limits = limits;
    this.now = now;
  }

  /** Sessions held now. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Makes room when the table is full (expired sessions first, then the least
   * recently used one if it has been idle evictIdleAfterMs) and adds a
   * session made by `make(id)` (a tracker, or an adaptation that brings its
   * own) under a new 128-bit random id. Throws
   * HttpError 429 (TOO_MANY_SESSIONS, with Retry-After) when no session may
   * go. Whatever `make` throws propagates, and nothing is added.
   */
  create(make: (id: string) => TextTracker | ClientAdaptation): ClientSession {
    const now = this.now();
    this.dropExpired(now);
    if (this.entries.size >= this.limits.maxSessions) {
      const oldest = this.entries.values().next().value as ClientSession;
      const idle = now - oldest.lastUsed;
      if (idle < this.limits.evictIdleAfterMs) {
        const seconds = Math.max(1, Math.ceil((this.limits.evictIdleAfterMs - idle) / 1000));
        throw new HttpError(
          429,
          ErrorCode.TOO_MANY_SESSIONS,
          `all ${this.limits.maxSessions} sessions are in use and none has been idle ${this.limits.evictIdleAfterMs / 1000} s; retry later or DELETE sessions you no longer need`,
          { 'retry-after': String(seconds) },
        );
      }
      this.entries.delete(oldest.id);
      this.evicted++;
    }
    const id = randomBytes(16).toString('base64url');
    const made = make(id);
    const session: ClientSession =
      made instanceof ClientAdaptation ? { id, tracker: made.tracker, adaptation: made, lastUsed: now } : { id, tracker: made, adaptation: null, lastUsed: now };
    this.entries.set(id, session);
    this.created++;
    return session;
  }

  /** The session with this id, marked as used now; undefined when unknown, deleted, evicted or expired. */
  get(id: string): ClientSession | undefined {
    const session = this.entries.get(id);
    if (session === undefined) return undefined;
    const now = this.now();
    if (now - session.lastUsed >= this.limits.sessionIdleMs) {
      this.entries.delete(id);
      this.expired++;
      return undefined;
    }
    session.lastUsed = now;
    this.entries.delete(id);
    this.entries.set(id, session);
    return session;
  }

  /** Removes a session; false when there was none with that id. */
  delete(id: string): boolean {
    return this.entries.delete(id);
  }

  /** Drops every session idle sessionIdleMs or longer (what a periodic sweep calls); returns how many. */
  dropExpired(now: number = this.now()): number {
    let dropped = 0;
    for (const session of this.entries.values()) {
      if (now - session.lastUsed < this.limits.sessionIdleMs) break; // the rest were used later
      this.entries.delete(session.id);
      dropped++;
    }
    this.expired += dropped;
    return dropped;
  }

  /** Forgets every session (at shutdown). */
  clear(): void {
    this.entries.clear();
  }
}
