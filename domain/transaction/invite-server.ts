/**
 * INVITE server transaction: RFC 3261 §17.2.1 as amended by RFC 6026 §7.1/§8.
 *
 *   INVITE received → Proceeding (100 Trying if the TU is silent for 200 ms)
 *   Proceeding ──TU 2xx──► Accepted ──Timer L──► Terminated   (the TU retransmits 2xx)
 *        │ TU 300–699: G (unreliable), H
 *        ▼
 *   Completed ──ACK──► Confirmed ──Timer I──► Terminated
 *     │ G: resend final, G = min(2G, T2); INVITE again: resend final
 *     └── Timer H (no ACK) ──► Terminated, TU told of the timeout
 */
import * as E from 'fp-ts/lib/Either.js';
import { absurd } from 'fp-ts/lib/function.js';
import { buildResponse } from '../sip/build-response.js';
import type { SipRequest, SipResponse } from '../sip/message.js';
import type { ServerConfig, ServerEvent } from './server-event.js';
import { next, type Step } from './step.js';
import { timeout64, timerT4, TRYING_DELAY_MS } from './timer-config.js';
import {
  cancelTimer, discarded, passUp, send, startTimer, terminated, type TransactionEffect,
} from './transaction-effect.js';
import { transactionError } from './transaction-error.js';

export type IstState =
  | { readonly tag: 'Proceeding'; readonly request: SipRequest; readonly lastProvisional?: SipResponse }
  // After the final response the request is released: later events need only the final response.
  | { readonly tag: 'Accepted' }
  | { readonly tag: 'Completed'; readonly final: SipResponse; readonly retransmitMs: number }
  | { readonly tag: 'Confirmed' }
  | { readonly tag: 'Terminated' };

/** Passes the INVITE up and arms the 100 Trying timer. */
export const startInviteServer = (request: SipRequest): readonly [IstState, ReadonlyArray<TransactionEffect>] =>
  [{ tag: 'Proceeding', request }, [passUp(request), startTimer('Trying', TRYING_DELAY_MS)]];

export const stepInviteServer = (config: ServerConfig, state: IstState, event: ServerEvent): Step<IstState> => {
  switch (state.tag) {
    case 'Proceeding': return onProceeding(config, state, event);
    case 'Accepted': return onAccepted(state, event);
    case 'Completed': return onCompleted(config, state, event);
    case 'Confirmed':
      if (event.tag === 'TimerFired' && event.timer === 'I') return next({ tag: 'Terminated' }, [terminated('Done')]);
      if (event.tag === 'TuResponse') return E.left(
        transactionError('ResponseAfterFinal', 'the INVITE was already answered'),
      );
      return next(state, [discarded(`${event.tag} in Confirmed`)]);
    case 'Terminated':
      if (event.tag === 'TuResponse') return E.left(
        transactionError('ResponseAfterFinal', 'the transaction has terminated'),
      );
      return next(state, [discarded(`${event.tag} after termination`)]);
    default: return absurd(state);
  }
};

type Proceeding = Extract<IstState, { tag: 'Proceeding' }>;

const onProceeding = (config: ServerConfig, state: Proceeding, event: ServerEvent): Step<IstState> => {
  switch (event.tag) {
    case 'RequestReceived':
      // §17.2.1: a retransmitted INVITE gets the most recent provisional response again.
      if (event.request.method === 'INVITE' && state.lastProvisional !== undefined) return next(
        state, [send(state.lastProvisional)],
      );
      return next(state, [discarded(`${event.request.method} retransmission in Proceeding`)]);
    case 'TimerFired': {
      if (event.timer !== 'Trying' || state.lastProvisional !== undefined) return next(
        state, [discarded(`Timer ${event.timer} in Proceeding`)],
      );
      const trying = buildResponse(state.request, 100);
      return next({ ...state, lastProvisional: trying }, [send(trying)]);
    }
    case 'TransportFailed':
      return next({ tag: 'Terminated' }, [{ tag: 'TransportError' }, terminated('TransportError')]);
    case 'TuResponse':
      return onTuResponse(config, state, event.response);
  }
};

const onTuResponse = (config: ServerConfig, state: Proceeding, response: SipResponse): Step<IstState> => {
  const stopTrying = cancelTimer('Trying');
  if (response.status < 200) return next({ ...state, lastProvisional: response }, [stopTrying, send(response)]);
  if (response.status < 300) {
    return next({ tag: 'Accepted' }, [stopTrying, send(response), startTimer('L', timeout64(config.timers))]);
  }
  const effects = [stopTrying, send(response), startTimer('H', timeout64(config.timers))];
  if (!config.reliable) effects.push(startTimer('G', config.timers.t1Ms));
  return next({ tag: 'Completed', final: response, retransmitMs: config.timers.t1Ms }, effects);
};

const onAccepted = (state: Extract<IstState, { tag: 'Accepted' }>, event: ServerEvent): Step<IstState> => {
  switch (event.tag) {
    case 'TimerFired':
      return event.timer === 'L' ? next({ tag: 'Terminated' }, [terminated('Done')]) : next(
        state, [discarded(`Timer ${event.timer} in Accepted`)],
      );
    case 'TuResponse':
      // RFC 6026 §8.5: the TU retransmits its 2xx through the transaction while Accepted.
      if (event.response.status >= 200 && event.response.status < 300) return next(state, [send(event.response)]);
      return E.left(transactionError('ResponseAfterFinal', `${event.response.status} after a 2xx`));
    case 'RequestReceived':
      // RFC 6026 §8.7: an ACK that matches here belongs to the TU; INVITE retransmissions are absorbed.
      return next(
        state,
        event.request.method === 'ACK' ? [passUp(event.request)] : [discarded('INVITE retransmission in Accepted')],
      );
    case 'TransportFailed':
      // The TU keeps retransmitting the 2xx; one failed send does not end the transaction.
      return next(state, [{ tag: 'TransportError' }]);
  }
};

const onCompleted = (
  config: ServerConfig, state: Extract<IstState, { tag: 'Completed' }>, event: ServerEvent,
): Step<IstState> => {
  switch (event.tag) {
    case 'RequestReceived': {
      if (event.request.method === 'INVITE') return next(state, [send(state.final)]);
      const stop = [cancelTimer('G'), cancelTimer('H')];
      const delay = timerT4(config.timers, config.reliable);
      if (delay === 0) return next({ tag: 'Terminated' }, [...stop, terminated('Done')]);
      return next({ tag: 'Confirmed' }, [...stop, startTimer('I', delay)]);
    }
    case 'TimerFired':
      if (event.timer === 'G') {
        const retransmitMs = Math.min(state.retransmitMs * 2, config.timers.t2Ms);
        return next({ ...state, retransmitMs }, [send(state.final), startTimer('G', retransmitMs)]);
      }
      if (event.timer === 'H') return next(
        { tag: 'Terminated' }, [cancelTimer('G'), { tag: 'Timeout', timer: 'H' }, terminated('Timeout')],
      );
      return next(state, [discarded(`Timer ${event.timer} in Completed`)]);
    case 'TransportFailed':
      return next({ tag: 'Terminated' }, [{ tag: 'TransportError' }, terminated('TransportError')]);
    case 'TuResponse':
      return E.left(transactionError('ResponseAfterFinal', 'the INVITE was already answered'));
  }
};
