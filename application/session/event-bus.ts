import type { SessionEvent, SessionEventType } from '../../domain/session/session-event.js';

export interface EventFilter {
  readonly sessionId?: string;
  readonly types?: ReadonlyArray<SessionEventType>;
  /** Matches events whose session belongs to this user (the From or To of the call). */
  readonly user?: string;
}

export interface Subscription {
  unsubscribe(): void;
  /** Events dropped because this subscriber's queue was full. */
  readonly dropped: number;
}

export interface EventStream extends AsyncIterable<SessionEvent>, Subscription {}

/**
 * A typed event bus. Callbacks run synchronously in publish order; async
 * iterators get a bounded queue per subscriber, so a slow reader loses the
 * oldest events (counted) instead of growing memory without limit.
 */
export class EventBus {
  private readonly subscribers = new Set<{ filter: EventFilter; deliver: (event: SessionEvent) => void }>();
  private published = 0;

  constructor(private readonly userOf: (sessionId: string) => ReadonlyArray<string> = () => []) {}

  publishedCount(): number {
    return this.published;
  }

  subscriberCount(): number {
    return this.subscribers.size;
  }

  publish(event: SessionEvent): void {
    this.published++;
    for (const subscriber of this.subscribers) if (this.matches(subscriber.filter, event)) subscriber.deliver(event);
  }

  subscribe(callback: (event: SessionEvent) => void, filter: EventFilter = {}): Subscription {
    const entry = { filter, deliver: callback };
    this.subscribers.add(entry);
    return { unsubscribe: () => void this.subscribers.delete(entry), dropped: 0 };
  }

  /** An async iterator over matching events, holding at most `capacity` undelivered ones. */
  stream(filter: EventFilter = {}, capacity = 1024): EventStream {
    const queue: SessionEvent[] = [];
    let waiting: ((result: IteratorResult<SessionEvent>) => void) | undefined;
    let dropped = 0;
    let closed = false;
    const entry = {
      filter,
      deliver: (event: SessionEvent): void => {
        if (waiting !== undefined) {
          const resolve = waiting;
          waiting = undefined;
          resolve({ value: event, done: false });
          return;
        }
        if (queue.length >= capacity) {
          queue.shift();
          dropped++;
        }
        queue.push(event);
      },
    };
    this.subscribers.add(entry);
    const close = (): void => {
      closed = true;
      this.subscribers.delete(entry);
      waiting?.({ value: undefined, done: true });
      waiting = undefined;
    };
    return {
      get dropped() {
        return dropped;
      },
      unsubscribe: close,
      [Symbol.asyncIterator]: () => ({
        next: () => {
          const event = queue.shift();
          if (event !== undefined) return Promise.resolve({ value: event, done: false });
          if (closed) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve) => (waiting = resolve));
        },
        return: () => {
          close();
          return Promise.resolve({ value: undefined, done: true });
        },
      }),
    };
  }

  private matches(filter: EventFilter, event: SessionEvent): boolean {
    if (filter.types !== undefined && !filter.types.includes(event.type)) return false;
    const sessionId = 'sessionId' in event ? event.sessionId : undefined;
    if (filter.sessionId !== undefined && sessionId !== filter.sessionId) return false;
    if (filter.user !== undefined && (sessionId === undefined || !this.userOf(sessionId).includes(filter.user))) return false;
    return true;
  }
}
