import type { SessionEvent, SessionEventType } from '../../domain/session/session-event.js';
import { isThenable } from './user-code.js';

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

/** A subscriber that threw or rejected: the bus carries on and reports it here. */
export type SubscriberFailure = (error: unknown, event: SessionEvent) => void;

export const DEFAULT_QUEUE_CAPACITY = 1024;

interface Subscriber {
  readonly filter: EventFilter;
  deliver(event: SessionEvent): void;
}

/**
 * A typed event bus. Every subscriber is foreign code and gets the same
 * policy: events are delivered in publish order; a subscriber that is busy
 * (an async callback still running, an iterator nobody reads) queues at most
 * `capacity` events and loses the oldest beyond that, counted in `dropped`;
 * a callback that throws or rejects is reported and the others carry on.
 */
export class EventBus {
  private readonly subscribers = new Set<Subscriber>();
  private published = 0;

  constructor(
    private readonly userOf: (sessionId: string) => ReadonlyArray<string> = () => [],
    private readonly onFailure: SubscriberFailure = () => undefined,
  ) {}

  publishedCount(): number {
    return this.published;
  }

  subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Whether anyone could receive an event of this type (so it need not be built otherwise). */
  get idle(): boolean {
    return this.subscribers.size === 0;
  }

  publish(event: SessionEvent): void {
    this.published++;
    if (this.subscribers.size === 0) return;
    for (const subscriber of this.subscribers) if (this.matches(subscriber.filter, event)) subscriber.deliver(event);
  }

  /**
   * Calls `callback` for each matching event. A callback that returns a
   * promise gets the next event once it settles; meanwhile events wait in a
   * queue of `capacity`.
   */
  subscribe(
    callback: (event: SessionEvent) => unknown, filter: EventFilter = {}, capacity = DEFAULT_QUEUE_CAPACITY,
  ): Subscription {
    const queue: SessionEvent[] = [];
    let busy = false;
    let dropped = 0;
    let active = true;
    const run = (event: SessionEvent): void => {
      let result: unknown;
      try {
        result = callback(event);
      } catch (error) {
        this.onFailure(error, event);
        return;
      }
      if (!isThenable(result)) return;
      busy = true;
      result.then(undefined, (error: unknown) => this.onFailure(error, event)).then(() => {
        busy = false;
        const next = queue.shift();
        if (next !== undefined && active) run(next);
      });
    };
    const entry: Subscriber = {
      filter,
      deliver: (event) => {
        if (!busy) return run(event);
        if (queue.length >= capacity) {
          queue.shift();
          dropped++;
        }
        queue.push(event);
      },
    };
    this.subscribers.add(entry);
    return {
      unsubscribe: () => {
        active = false;
        queue.length = 0;
        this.subscribers.delete(entry);
      },
      get dropped() {
        return dropped;
      },
    };
  }

  /** An async iterator over matching events, holding at most `capacity` undelivered ones. */
  stream(filter: EventFilter = {}, capacity = DEFAULT_QUEUE_CAPACITY): EventStream {
    const queue: SessionEvent[] = [];
    let waiting: ((result: IteratorResult<SessionEvent>) => void) | undefined;
    let dropped = 0;
    let closed = false;
    const entry: Subscriber = {
      filter,
      deliver: (event) => {
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
    const user = filter.user;
    if (user !== undefined && (sessionId === undefined || !this.userOf(sessionId).includes(user))) return false;
    return true;
  }
}

