/**
 * Non-INVITE server transaction: RFC 3261 §17.2.2 with RFC 4320 §4.2.
 *
 *   request received → Trying ──TU 1xx──► Proceeding ──TU 200–699──► Completed ──Timer J──► Terminated
 *   Trying: retransmissions absorbed; Proceeding/Completed: the last response is sent again.
 */
import * as E from 'fp-ts/lib/Either.js';
import { absurd } from 'fp-ts/lib/function.js';
import type { SipRequest, SipResponse } from '../sip/message.js';
import type { ServerConfig, ServerEvent } from './server-event.js';
import { next, type Step } from './step.js';
import { timerJ } from './timer-config.js';
import { discarded, passUp, send, startTimer, terminated, type TransactionEffect } from './transaction-effect.js';
import { transactionError } from './transaction-error.js';

export type NistState =
  | { readonly tag: 'Trying' }
  | { readonly tag: 'Proceeding'; readonly lastResponse: SipResponse }
  | { readonly tag: 'Completed'; readonly lastResponse: SipResponse }
  | { readonly tag: 'Terminated' };

export const startNonInviteServer = (request: SipRequest): readonly [NistState, ReadonlyArray<TransactionEffect>] =>
  [{ tag: 'Trying' }, [passUp(request)]];

export const stepNonInviteServer = (config: ServerConfig, state: NistState, event: ServerEvent): Step<NistState> => {
  switch (state.tag) {
    case 'Trying':
    case 'Proceeding':
      return onActive(config, state, event);
    case 'Completed':
      if (event.tag === 'RequestReceived') return next(state, [send(state.lastResponse)]);
      if (event.tag === 'TimerFired' && event.timer === 'J') return next({ tag: 'Terminated' }, [terminated('Done')]);
      if (event.tag === 'TuResponse') return E.left(
        transactionError('ResponseAfterFinal', 'the request was already answered'),
      );
      if (event.tag === 'TransportFailed') return next(
        { tag: 'Terminated' }, [{ tag: 'TransportError' }, terminated('TransportError')],
      );
      return next(state, [discarded(`Timer ${event.timer} in Completed`)]);
    case 'Terminated':
      if (event.tag === 'TuResponse') return E.left(
        transactionError('ResponseAfterFinal', 'the transaction has terminated'),
      );
      return next(state, [discarded(`${event.tag} after termination`)]);
    default: return absurd(state);
  }
};

const onActive = (
  config: ServerConfig, state: Extract<NistState, { tag: 'Trying' | 'Proceeding' }>, event: ServerEvent,
): Step<NistState> => {
  switch (event.tag) {
    case 'RequestReceived':
      return next(
        state, [state.tag === 'Proceeding' ? send(state.lastResponse) : discarded('retransmission in Trying')],
      );
    case 'TransportFailed':
      return next({ tag: 'Terminated' }, [{ tag: 'TransportError' }, terminated('TransportError')]);
    case 'TimerFired':
      return next(state, [discarded(`Timer ${event.timer} in ${state.tag}`)]);
    case 'TuResponse': {
      const response = event.response;
      // RFC 4320 §4.2: never 408 to a non-INVITE; and only 100 among provisionals (§4.1).
      if (response.status === 408) return E.left(
        transactionError('NotAllowed408', 'RFC 4320: no 408 to a non-INVITE request'),
      );
      if (response.status > 100 && response.status < 200) return E.left(
        transactionError('BadProvisional', 'RFC 4320: only 100 may be sent to a non-INVITE request'),
      );
      if (response.status < 200) return next({ tag: 'Proceeding', lastResponse: response }, [send(response)]);
      const delay = timerJ(config.timers, config.reliable);
      if (delay === 0) return next({ tag: 'Terminated' }, [send(response), terminated('Done')]);
      return next({ tag: 'Completed', lastResponse: response }, [send(response), startTimer('J', delay)]);
    }
  }
};
