/**
 * Non-INVITE client transaction: RFC 3261 §17.1.2 (with RFC 4320's timeout
 * handling: a timed-out request is reported to the TU, never answered 408 on the wire).
 *
 *   request sent; E (unreliable) and F started
 *   Trying ──1xx──► Proceeding ──200–699──► Completed ──Timer K──► Terminated
 *     │ E: resend, E = min(2E, T2)   │ E: resend, E = T2
 *     └── Timer F / transport error ─┴──────────────────────────► Terminated
 */
import { absurd } from 'fp-ts/lib/function.js';
import type { SipRequest, SipResponse } from '../sip/message.js';
import type { ClientConfig, ClientEvent } from './invite-client.js';
import { next, type Step } from './step.js';
import { timeout64, timerT4 } from './timer-config.js';
import {
  cancelTimer, discarded, passUp, send, startTimer, terminated, type TransactionEffect,
} from './transaction-effect.js';

export type NictState =
  | { readonly tag: 'Trying'; readonly request: SipRequest; readonly retransmitMs: number }
  | { readonly tag: 'Proceeding'; readonly request: SipRequest }
  | { readonly tag: 'Completed' }
  | { readonly tag: 'Terminated' };

export const startNonInviteClient = (config: ClientConfig, request: SipRequest): readonly [
  NictState, ReadonlyArray<TransactionEffect>,
] => {
  const effects = [send(request), startTimer('F', timeout64(config.timers))];
  if (!config.reliable) effects.push(startTimer('E', config.timers.t1Ms));
  return [{ tag: 'Trying', request, retransmitMs: config.timers.t1Ms }, effects];
};

export const stepNonInviteClient = (config: ClientConfig, state: NictState, event: ClientEvent): Step<NictState> => {
  switch (state.tag) {
    case 'Trying':
    case 'Proceeding': return onActive(config, state, event);
    case 'Completed':
      if (event.tag === 'TimerFired' && event.timer === 'K') return next({ tag: 'Terminated' }, [terminated('Done')]);
      // §17.1.2.2: retransmitted responses are absorbed in Completed.
      return next(state, [discarded(`${event.tag} in Completed`)]);
    case 'Terminated': return next(state, [discarded(`${event.tag} after termination`)]);
    default: return absurd(state);
  }
};

const onActive = (
  config: ClientConfig, state: Extract<NictState, { tag: 'Trying' | 'Proceeding' }>, event: ClientEvent,
): Step<NictState> => {
  switch (event.tag) {
    case 'TransportFailed':
      return next({ tag: 'Terminated' }, [{ tag: 'TransportError' }, terminated('TransportError')]);
    case 'TimerFired':
      if (event.timer === 'F') return next(
        { tag: 'Terminated' }, [{ tag: 'Timeout', timer: 'F' }, terminated('Timeout')],
      );
      if (event.timer === 'E') {
        // Trying doubles up to T2; Proceeding retransmits every T2 (§17.1.2.2).
        const interval = state.tag === 'Trying'
          ? Math.min(state.retransmitMs * 2, config.timers.t2Ms)
          : config.timers.t2Ms;
        const nextState: NictState = state.tag === 'Trying' ? { ...state, retransmitMs: interval } : state;
        return next(nextState, [send(state.request), startTimer('E', interval)]);
      }
      return next(state, [discarded(`Timer ${event.timer} in ${state.tag}`)]);
    case 'ResponseReceived':
      return onResponse(config, state, event.response);
  }
};

const onResponse = (
  config: ClientConfig, state: Extract<NictState, { tag: 'Trying' | 'Proceeding' }>, response: SipResponse,
): Step<NictState> => {
  if (response.status < 200) return next({ tag: 'Proceeding', request: state.request }, [passUp(response)]);
  const stop = [cancelTimer('E'), cancelTimer('F')];
  const delay = timerT4(config.timers, config.reliable);
  if (delay === 0) return next({ tag: 'Terminated' }, [...stop, passUp(response), terminated('Done')]);
  return next({ tag: 'Completed' }, [...stop, passUp(response), startTimer('K', delay)]);
};
