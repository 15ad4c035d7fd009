import test from 'ava';
import * as E from 'fp-ts/lib/Either.js';
import {
  RECOVERED_CSEQ_MARGIN, restoreDialog, SNAPSHOT_VERSION, snapshotKey, storeDialog, type CallSnapshot,
} from '../../../domain/cluster/call-snapshot.js';
import { createUasDialog, dialogKey } from '../../../domain/dialog/dialog.js';
import { decodeSnapshot, encodeSnapshot } from '../../../adapters/shared/call-snapshot-codec.js';
import { request } from '../../support/sip-builders.js';

const invite = request('INVITE', 'z9hG4bKsnap', [
  'Contact: "Alice" <sip:alice@10.0.0.1:5070;transport=udp>',
  'Record-Route: <sip:10.0.0.9;lr;ftag=a1>, <sip:10.0.0.8;lr>',
].join('\r\n'));

const dialog = () => {
  const made = createUasDialog(invite, 'ourtag', 'Confirmed');
  if (E.isLeft(made)) throw new Error(made.left.detail);
  return { ...made.right, localSeq: 7 };
};

test('snapshot: a dialog stored and restored keeps its identity, URIs, route set and target; CSeq continues safely', (t) => {
  const original = dialog();
  const restored = restoreDialog(storeDialog(original));
  if (E.isLeft(restored)) return t.fail(restored.left.detail);
  const back = restored.right;
  t.deepEqual(back.id, original.id);
  t.is(dialogKey(back.id), dialogKey(original.id));
  t.is(back.state, 'Confirmed');
  t.is(back.role, 'UAS');
  t.deepEqual(back.remoteTarget, original.remoteTarget);
  t.deepEqual(back.routeSet, original.routeSet);
  t.deepEqual(back.localUri, original.localUri);
  t.deepEqual(back.remoteUri, original.remoteUri);
  t.is(back.localSeq, 7 + RECOVERED_CSEQ_MARGIN, 'our CSeq jumps past anything the dead owner may have sent');
  t.is(back.remoteSeq, 0, 'their last request (CSeq 1) may come again and is accepted');
});

test('snapshot codec: JSON of the right shape round-trips; anything else is undefined, never an exception', (t) => {
  const snapshot: CallSnapshot = {
    version: SNAPSHOT_VERSION, sessionId: 'sess-1', owner: 'w1', direction: 'incoming', from: '<sip:a@h>',
    to: '<sip:b@h>', connectedAtEpochMs: 1_700_000_000_000, protocol: 'udp', dialog: storeDialog(dialog()),
    localSdp: 'v=0\r\n', remoteSdp: 'v=0\r\n',
  };
  const text = encodeSnapshot(snapshot);
  t.deepEqual(decodeSnapshot(text), snapshot);
  t.is(snapshotKey(snapshot), dialogKey(dialog().id));
  for (const bad of ['', 'null', '{', '[]', '{"version":2}', text.replace('"udp"', '"sctp"'),
    JSON.stringify({ ...snapshot, dialog: { ...snapshot.dialog, localSeq: 'seven' } })]) {
    t.is(decodeSnapshot(bad), undefined, bad.slice(0, 40));
  }
});

test('snapshot: a stored dialog whose URIs or CSeq are damaged is a Left', (t) => {
  const stored = storeDialog(dialog());
  t.true(E.isLeft(restoreDialog({ ...stored, remoteTarget: 'not a uri' })));
  t.true(E.isLeft(restoreDialog({ ...stored, routeSet: ['<sip:ok;lr>', '<<'] })));
  t.true(E.isLeft(restoreDialog({ ...stored, localUri: '' })));
  t.true(E.isLeft(restoreDialog({ ...stored, localSeq: -1 })));
  t.true(E.isLeft(restoreDialog({ ...stored, localSeq: 1.5 })));
});
