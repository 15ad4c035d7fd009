import test from 'ava';
import { addMember, createBridge, removeMember, shouldDestroy } from '../../../domain/bridge/bridge.js';
import { mixExcludingSelf, saturate16 } from '../../../domain/bridge/mix.js';
import { left, right } from '../../support/either.js';

test('bridge: members join once, leave once; a two-party bridge ends with its first leg, a conference when empty', (
  t,
) => {
  let bridge = right(t, addMember(right(t, addMember(createBridge('b1', 0), 's1')), 's2'));
  t.is(left(t, addMember(bridge, 's1')).reason, 'AlreadyMember');
  bridge = right(t, removeMember(bridge, 's1'));
  t.true(shouldDestroy(bridge));
  t.is(left(t, removeMember(bridge, 's1')).reason, 'NotMember');
  let conference = createBridge('c1', 0);
  for (const s of ['a', 'b', 'c']) conference = right(t, addMember(conference, s));
  conference = right(t, removeMember(conference, 'a'));
  t.false(shouldDestroy(conference), 'a conference of two carries on');
  conference = right(t, removeMember(right(t, removeMember(conference, 'b')), 'c'));
  t.true(shouldDestroy(conference));
  t.false(shouldDestroy({ ...createBridge('k', 0, false), peakMembers: 2 }), 'auto-destroy can be turned off');
});

test('mix: each participant hears the sum of the others, never itself, with saturation', (t) => {
  const a = Int16Array.of(100, 20000, -20000);
  const b = Int16Array.of(10, 20000, -20000);
  const c = Int16Array.of(1, 1, 1);
  const outs = [new Int16Array(3), new Int16Array(3), new Int16Array(3)];
  mixExcludingSelf([a, b, c], outs);
  t.deepEqual(Array.from(outs[0]!), [11, 20001, -19999]);
  t.deepEqual(Array.from(outs[1]!), [101, 20001, -19999]);
  t.deepEqual(Array.from(outs[2]!), [110, 32767, -32768]);
  const two = [new Int16Array(3), new Int16Array(3)];
  mixExcludingSelf([a, undefined], two);
  t.deepEqual(Array.from(two[1]!), [100, 20000, -20000], 'a two-party bridge is a relay');
  t.deepEqual(Array.from(two[0]!), [0, 0, 0]);
  t.is(saturate16(40000), 32767);
});
