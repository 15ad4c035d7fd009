import test from 'ava';
import {
  clientKeyOfRequest, clientKeyOfResponse, inviteKeyForCancel, serverKey,
} from '../../../domain/transaction/transaction-key.js';
import { right } from '../../support/either.js';
import { request, response } from '../../support/sip-builders.js';

test('transaction keys: a response finds its client transaction by branch and CSeq method (RFC 3261 17.1.3)', (t) => {
  const invite = request('INVITE', 'z9hG4bKk1');
  t.is(right(t, clientKeyOfResponse(response(invite, 180))), right(t, clientKeyOfRequest(invite)));
  const cancel = request('CANCEL', 'z9hG4bKk1');
  t.not(
    right(t, clientKeyOfResponse(response(cancel, 200))), right(t, clientKeyOfRequest(invite)),
    'CANCEL is its own transaction',
  );
});

test('transaction keys: ACK for a non-2xx matches its INVITE server transaction; CANCEL does not (17.2.3)', (t) => {
  const invite = request('INVITE', 'z9hG4bKk2');
  t.is(right(t, serverKey(request('ACK', 'z9hG4bKk2'))), right(t, serverKey(invite)));
  t.not(right(t, serverKey(request('CANCEL', 'z9hG4bKk2'))), right(t, serverKey(invite)));
  t.is(
    right(t, inviteKeyForCancel(request('CANCEL', 'z9hG4bKk2'))), right(t, serverKey(invite)),
    'a CANCEL finds the INVITE it cancels (9.2)',
  );
  t.not(right(t, serverKey(request('INVITE', 'z9hG4bKk3'))), right(t, serverKey(invite)));
});

test('transaction keys: a branch without the magic cookie falls back to RFC 2543 matching (17.2.3)', (t) => {
  const old = request('INVITE', 'old-branch-1');
  const key = right(t, serverKey(old));
  t.true(key.startsWith('2543|'));
  t.is(right(t, serverKey(request('ACK', 'old-branch-1'))), key, 'the ACK matches the INVITE');
  t.not(right(t, serverKey(request('INVITE', 'old-branch-2'))), key, 'a different top Via is a different transaction');
  t.true(
    right(t, serverKey(request('OPTIONS', 'z9hG4bK'))).startsWith('2543|'),
    'the bare cookie is not a valid branch (RFC 4475 badbranch)',
  );
});
