import test from 'ava';
import { EventBus } from '../../application/session/event-bus.js';
import type { SessionEvent } from '../../domain/session/session-event.js';

const created = (sessionId: string): SessionEvent => ({
  type: 'SessionCreated', sessionId, direction: 'incoming', from: 'sip:a@h', to: 'sip:b@h',
});
const ended = (sessionId: string): SessionEvent => ({ type: 'CallEnded', sessionId, reason: 'bye', durationMs: 1 });

test('event bus: callbacks filtered by session, type and user', (t) => {
  const bus = new EventBus((id) => (id === 's1' ? ['alice'] : ['bob']));
  const bySession: string[] = [];
  const byType: string[] = [];
  const byUser: string[] = [];
  bus.subscribe((e) => bySession.push(e.type), { sessionId: 's1' });
  bus.subscribe((e) => byType.push('sessionId' in e ? e.sessionId ?? '' : ''), { types: ['CallEnded'] });
  const sub = bus.subscribe((e) => byUser.push('sessionId' in e ? e.sessionId ?? '' : ''), { user: 'bob' });
  for (const e of [created('s1'), created('s2'), ended('s1'), ended('s2')]) bus.publish(e);
  sub.unsubscribe();
  bus.publish(ended('s3'));
  t.deepEqual(bySession, ['SessionCreated', 'CallEnded']);
  t.deepEqual(byType, ['s1', 's2', 's3']);
  t.deepEqual(byUser, ['s2', 's2']);
  t.is(bus.publishedCount(), 5);
});

test('event bus: an async iterator delivers in order; a slow reader loses the oldest beyond its queue and counts them', async (t) => {
  const bus = new EventBus();
  const stream = bus.stream({}, 3);
  for (let i = 0; i < 10; i++) bus.publish(created(`s${i}`));
  t.is(stream.dropped, 7);
  const got: string[] = [];
  for await (const event of stream) {
    got.push('sessionId' in event ? event.sessionId ?? '' : '');
    if (got.length === 3) break;
  }
  t.deepEqual(got, ['s7', 's8', 's9']);
  t.is(bus.subscriberCount(), 0, 'breaking out of the loop unsubscribes');
  const live = bus.stream();
  const next = live[Symbol.asyncIterator]().next();
  bus.publish(ended('x'));
  t.like((await next).value, { type: 'CallEnded', sessionId: 'x' });
  live.unsubscribe();
});

test('event bus: subscribers hear in the order they subscribed, typed or not; wants() says whether a type reaches anyone', (t) => {
  const bus = new EventBus();
  t.false(bus.wants('CallEnded'));
  const heard: string[] = [];
  const typed = bus.subscribe(() => heard.push('typed'), { types: ['CallEnded'] });
  t.true(bus.wants('CallEnded'));
  t.false(bus.wants('SessionCreated'), 'nobody takes SessionCreated yet');
  const all = bus.subscribe((e) => heard.push(`all:${e.type}`));
  t.true(bus.wants('SessionCreated'));
  bus.subscribe(() => heard.push('typed-later'), { types: ['CallEnded', 'SessionCreated'] });
  bus.publish(ended('s1'));
  bus.publish(created('s1'));
  t.deepEqual(heard, ['typed', 'all:CallEnded', 'typed-later', 'all:SessionCreated', 'typed-later']);
  typed.unsubscribe();
  all.unsubscribe();
  heard.length = 0;
  bus.publish(ended('s2'));
  t.deepEqual(heard, ['typed-later']);
  t.true(bus.wants('CallEnded'));
  t.false(bus.wants('StateChanged'));
});

test('event bus: a subscriber that unsubscribes another during delivery stops it at once, without skipping anyone else', (t) => {
  const bus = new EventBus();
  const heard: string[] = [];
  let second: { unsubscribe(): void } | undefined;
  bus.subscribe(() => {
    heard.push('first');
    second?.unsubscribe();
  });
  second = bus.subscribe(() => heard.push('second'));
  bus.subscribe(() => heard.push('third'));
  bus.publish(ended('s1'));
  bus.publish(ended('s2'));
  t.deepEqual(heard, ['first', 'third', 'first', 'third']);
});

test('event bus: a callback that holds the bus with a promise for some events gets the queued rest in order once it settles', async (t) => {
  const bus = new EventBus();
  const got: string[] = [];
  let release: (() => void) | undefined;
  bus.subscribe((e) => {
    const id = 'sessionId' in e ? e.sessionId ?? '' : '';
    got.push(id);
    // Only s0 holds the bus; the others are answered at once.
    return id === 's0' ? new Promise<void>((resolve) => (release = resolve)) : undefined;
  });
  for (let i = 0; i < 4; i++) bus.publish(created(`s${i}`));
  t.deepEqual(got, ['s0']);
  release!();
  await new Promise((resolve) => setImmediate(resolve));
  t.deepEqual(got, ['s0', 's1', 's2', 's3'], 'the whole queue, not just its head');
  bus.publish(created('s4'));
  t.deepEqual(got, ['s0', 's1', 's2', 's3', 's4']);
});
