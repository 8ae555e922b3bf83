import { Model } from '../model/model.ts';
import { Session } from '../model/session.ts';
import { createStream } from './create-stream.ts';
import type { StreamOptions } from './options.ts';
import type { PushStream } from './push-stream.ts';

// session.stream() and model.stream() as methods. model/ may not import
// stream/ (the arrows point down), so this room adds them to the prototypes
// when installStreamMethods() runs, and augments the types to match.

declare module '../model/session.ts' {
  interface Session {
    /** A push-based stream over this session: `createStream(session, options)`. Needs installStreamMethods(). */
    stream(options?: StreamOptions): PushStream;
  }
}

declare module '../model/model.ts' {
  interface Model {
    /** A push-based stream over a new session of this model: `createStream(model, options)`. Needs installStreamMethods(). */
    stream(options?: StreamOptions): PushStream;
  }
}

/**
 * Adds `stream(options)` to Session and Model (once; later calls do nothing).
 * The inference entry calls it, so users of the package have the methods.
 */
export function installStreamMethods(): void {
  if (Object.prototype.hasOwnProperty.call(Session.prototype, 'stream')) return;
  Object.defineProperty(Session.prototype, 'stream', {
    value: function stream(this: Session, options?: StreamOptions): PushStream {
      return createStream(this, options);
    },
    writable: true,
    configurable: true,
  });
  Object.defineProperty(Model.prototype, 'stream', {
    value: function stream(this: Model, options?: StreamOptions): PushStream {
      return createStream(this, options);
    },
    writable: true,
    configurable: true,
  });
}
