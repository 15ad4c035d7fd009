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
  /** Subscribers by the event types they take (one without a type filter is under every type): publish looks here. */
  private readonly byType = new Map<SessionEventType, Subscriber[]>();
  /** Subscribers without a type filter, for types first published after they subscribed. */
  private readonly untyped: Subscriber[] = [];
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

  /** Whether an event of `type` would reach anyone: publishers may skip building one otherwise. */
  wants(type: SessionEventType): boolean {
    return this.untyped.length > 0 || (this.byType.get(type)?.length ?? 0) > 0;
  }

  publish(event: SessionEvent): void {
    this.published++;
    if (this.subscribers.size === 0) return;
    const typed = this.byType.get(event.type);
    const targets = typed === undefined ? this.untyped : typed;
    if (targets.length === 0) return;
    // A copy only when there is more than one: a subscriber may unsubscribe another during delivery.
    for (const subscriber of targets.length === 1 ? targets : [...targets]) {
      if (this.subscribers.has(subscriber) && this.matches(subscriber.filter, event)) subscriber.deliver(event);
    }
  }

  private add(subscriber: Subscriber): void {
    this.subscribers.add(subscriber);
    const types = subscriber.filter.types;
    if (types === undefined) {
      this.untyped.push(subscriber);
      for (const list of this.byType.values()) list.push(subscriber);
      return;
    }
    for (const type of types) {
      let list = this.byType.get(type);
      if (list === undefined) {
        list = [...this.untyped];
        this.byType.set(type, list);
      }
      if (!list.includes(subscriber)) list.push(subscriber);
    }
  }

  private remove(subscriber: Subscriber): void {
    if (!this.subscribers.delete(subscriber)) return;
    const drop = (list: Subscriber[]): void => {
      const index = list.indexOf(subscriber);
      if (index >= 0) list.splice(index, 1);
    };
    drop(this.untyped);
    for (const list of this.byType.values()) drop(list);
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
      result.then(undefined, (error: unknown) => this.onFailure(error, event)).then(drain);
    };
    // Delivers what waited, in order, until the queue is empty or a callback is busy again: a callback that
    // answers some events at once and others with a promise must not strand the queue behind it.
    const drain = (): void => {
      busy = false;
      while (active && !busy) {
        const next = queue.shift();
        if (next === undefined) return;
        run(next);
      }
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
    this.add(entry);
    return {
      unsubscribe: () => {
        active = false;
        queue.length = 0;
        this.remove(entry);
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
    this.add(entry);
    const close = (): void => {
      closed = true;
      this.remove(entry);
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

  /** The type is matched by where the subscriber is listed; the rest of the filter here. */
  private matches(filter: EventFilter, event: SessionEvent): boolean {
    if (filter.sessionId === undefined && filter.user === undefined) return true;
    const sessionId = 'sessionId' in event ? event.sessionId : undefined;
    if (filter.sessionId !== undefined && sessionId !== filter.sessionId) return false;
    const user = filter.user;
    if (user !== undefined && (sessionId === undefined || !this.userOf(sessionId).includes(user))) return false;
    return true;
  }
}

