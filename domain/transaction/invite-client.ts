/**
 * INVITE client transaction: RFC 3261 §17.1.1 as amended by RFC 6026 §8.4.
 *
 *            INVITE sent, A (unreliable) and B started
 *                          │
 *   Timer A: resend, A×2 ┌─▼──────┐ Timer B / transport error ──► Terminated
 *                        │Calling │
 *                        └─┬────┬─┘
 *                      1xx │    │ 2xx ───────────────┐
 *                        ┌─▼────┴─────┐ 2xx          ▼
 *                    1xx │ Proceeding ├─────────► Accepted ── Timer M ──► Terminated
 *                        └─┬──────────┘          (2xx → TU)
 *              300–699: ACK│
 *                        ┌─▼─────────┐
 *   300–699: resend ACK  │ Completed │ ── Timer D ──► Terminated
 *                        └───────────┘
 */
import * as E from 'fp-ts/lib/Either.js';
import { absurd } from 'fp-ts/lib/function.js';
import { buildAckForFailure } from '../sip/build-ack-cancel.js';
import type { SipRequest, SipResponse } from '../sip/message.js';
import { next, type Step } from './step.js';
import { timeout64, timerD, type TimerConfig } from './timer-config.js';
import {
  cancelTimer, discarded, passUp, send, startTimer, terminated, type TransactionEffect,
} from './transaction-effect.js';

export type IctState =
  | { readonly tag: 'Calling'; readonly request: SipRequest; readonly retransmitMs: number }
  | { readonly tag: 'Proceeding'; readonly request: SipRequest }
  // After the final response only what later events need is kept: the request is released.
  | { readonly tag: 'Accepted' }
  | { readonly tag: 'Completed'; readonly ack: SipRequest }
  | { readonly tag: 'Terminated' };

export type ClientEvent =
  | { readonly tag: 'ResponseReceived'; readonly response: SipResponse }
  | { readonly tag: 'TimerFired'; readonly timer: 'A' | 'B' | 'D' | 'E' | 'F' | 'K' | 'M' }
  | { readonly tag: 'TransportFailed' };

export interface ClientConfig {
  readonly timers: TimerConfig;
  readonly reliable: boolean;
}

/** Sends the INVITE and arms Timers A (unreliable only) and B (§17.1.1.2). */
export const startInviteClient = (config: ClientConfig, request: SipRequest): readonly [
  IctState, ReadonlyArray<TransactionEffect>,
] => {
  const t1 = config.timers.t1Ms;
  const effects = [send(request), startTimer('B', timeout64(config.timers))];
  if (!config.reliable) effects.push(startTimer('A', t1));
  return [{ tag: 'Calling', request, retransmitMs: t1 }, effects];
};

export const stepInviteClient = (config: ClientConfig, state: IctState, event: ClientEvent): Step<IctState> => {
  switch (state.tag) {
    case 'Calling': return onCalling(config, state, event);
    case 'Proceeding': return onProceeding(config, state, event);
    case 'Accepted': return onAccepted(state, event);
    case 'Completed': return onCompleted(state, event);
    case 'Terminated': return next(state, [discarded(`${event.tag} after termination`)]);
    default: return absurd(state);
  }
};

type Calling = Extract<IctState, { tag: 'Calling' }>;

const onCalling = (config: ClientConfig, state: Calling, event: ClientEvent): Step<IctState> => {
  switch (event.tag) {
    case 'TimerFired':
      if (event.timer === 'A') {
        // §17.1.1.2: double the interval on each retransmission; no cap for INVITE.
        const retransmitMs = state.retransmitMs * 2;
        return next({ ...state, retransmitMs }, [send(state.request), startTimer('A', retransmitMs)]);
      }
      if (event.timer === 'B') return next(
        { tag: 'Terminated' }, [{ tag: 'Timeout', timer: 'B' }, terminated('Timeout')],
      );
      return next(state, [discarded(`Timer ${event.timer} in Calling`)]);
    case 'TransportFailed':
      return next({ tag: 'Terminated' }, [{ tag: 'TransportError' }, terminated('TransportError')]);
    case 'ResponseReceived': {
      const stop = [cancelTimer('A'), cancelTimer('B')];
      if (event.response.status < 200) return next(
        { tag: 'Proceeding', request: state.request }, [...stop, passUp(event.response)],
      );
      return onFinal(config, state.request, event.response, stop);
    }
  }
};

const onProceeding = (
  config: ClientConfig, state: Extract<IctState, { tag: 'Proceeding' }>, event: ClientEvent,
): Step<IctState> => {
  if (event.tag === 'TransportFailed') return next(
    { tag: 'Terminated' }, [{ tag: 'TransportError' }, terminated('TransportError')],
  );
  if (event.tag === 'TimerFired') return next(state, [discarded(`Timer ${event.timer} in Proceeding`)]);
  if (event.response.status < 200) return next(state, [passUp(event.response)]);
  return onFinal(config, state.request, event.response, []);
};

/** 2xx → Accepted (RFC 6026: the TU ACKs it); 300–699 → ACK here and Completed. */
const onFinal = (
  config: ClientConfig, request: SipRequest, response: SipResponse, stop: ReadonlyArray<TransactionEffect>,
): Step<IctState> => {
  if (response.status < 300) {
    return next({ tag: 'Accepted' }, [...stop, passUp(response), startTimer('M', timeout64(config.timers))]);
  }
  const ack = buildAckForFailure(request, response);
  // A response missing core headers cannot be ACKed; the parser guarantees they exist on real input.
  if (E.isLeft(ack)) return next({ tag: 'Terminated' }, [...stop, passUp(response), terminated('Done')]);
  const delay = timerD(config.timers, config.reliable);
  if (delay === 0) return next({ tag: 'Terminated' }, [...stop, send(ack.right), passUp(response), terminated('Done')]);
  return next(
    { tag: 'Completed', ack: ack.right }, [...stop, send(ack.right), passUp(response), startTimer('D', delay)],
  );
};

const onAccepted = (state: Extract<IctState, { tag: 'Accepted' }>, event: ClientEvent): Step<IctState> => {
  if (event.tag === 'TimerFired' && event.timer === 'M') return next({ tag: 'Terminated' }, [terminated('Done')]);
  // RFC 6026 §8.4: further 2xx (retransmissions, other forks) go to the TU, which ACKs each.
  if (event.tag === 'ResponseReceived' && event.response.status >= 200 && event.response.status < 300) return next(
    state, [passUp(event.response)],
  );
  return next(state, [discarded(`${event.tag} in Accepted`)]);
};

const onCompleted = (state: Extract<IctState, { tag: 'Completed' }>, event: ClientEvent): Step<IctState> => {
  if (event.tag === 'TimerFired' && event.timer === 'D') return next({ tag: 'Terminated' }, [terminated('Done')]);
  // §17.1.1.2: a retransmitted final response is answered with the same ACK, not passed up.
  if (event.tag === 'ResponseReceived' && event.response.status >= 300) return next(state, [send(state.ack)]);
  return next(state, [discarded(`${event.tag} in Completed`)]);
};
