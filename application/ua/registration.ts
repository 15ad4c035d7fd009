import * as E from 'fp-ts/lib/Either.js';
import { buildRegister, grantedExpires, minimumExpires, refreshDelaySec } from '../../domain/registration/binding.js';
import { appendHeader, type SipRequest, type SipResponse } from '../../domain/sip/message.js';
import type { NameAddr } from '../../domain/sip/name-addr.js';
import type { Uri } from '../../domain/sip/uri.js';
import type { Endpoint } from '../../domain/transport/endpoint.js';
import type { TimerHandle } from '../../ports/clock.js';
import { answerChallenge, credentialLines, type Challenge, type UserCredentials } from './challenge.js';
import { localContact, newVia, type UaContext } from './ua-context.js';

import type { RegistrationStateName } from '../../domain/session/session-event.js';

export type RegistrationState = RegistrationStateName;

/** How one REGISTER exchange ended (after any 401/407 and 423 rounds). */
export type RegisterOutcome =
  | { readonly kind: 'Registered'; readonly expiresSec: number }
  | { readonly kind: 'Unregistered' }
  | { readonly kind: 'Rejected'; readonly status: number; readonly reason: string }
  | { readonly kind: 'Timeout' }
  | { readonly kind: 'TransportError' };

/** A REGISTER that got no response. */
type Failure = Extract<RegisterOutcome, { kind: 'Timeout' | 'TransportError' }>;

export interface RegistrationOptions {
  readonly registrar: Uri;
  readonly aor: NameAddr;
  /** Asked for; the registrar may grant less (or demand more with 423). */
  readonly expiresSec: number;
  readonly credentials?: UserCredentials;
  /** Sent through these first (an outbound proxy, §8.1.2). */
  readonly routes?: ReadonlyArray<NameAddr>;
  /** Where REGISTERs go when server location (RFC 3263) found it; else the registrar URI's host as it is. */
  readonly target?: Endpoint;
  /** Every state change, with the outcome that caused it. */
  readonly onChange?: (state: RegistrationState, outcome: RegisterOutcome | undefined) => void;
}

/** A failed refresh is tried again after this long, until it succeeds or the binding is removed. */
const RETRY_AFTER_FAILURE_SEC = 30;
/** 401/407 answers and 423 corrections for one REGISTER before giving up. */
const MAX_ROUNDS = 4;

/**
 * One contact binding kept alive at a registrar (RFC 3261 §10.2): REGISTER with
 * one Call-ID and rising CSeq, Digest answers to challenges, 423 handled by
 * asking for Min-Expires, refresh before the granted expiry, and removal
 * (Expires: 0) on request.
 */
export class Registration {
  private stateValue: RegistrationState = 'Registering';
  private readonly callId: string;
  private readonly fromTag: string;
  private cseq: number;
  private expiresSec: number;
  private grantedSec = 0;
  private refreshTimer: TimerHandle | undefined;
  /** The last challenge answered, reused (with the nonce count raised) so refreshes need no extra round trip. */
  private auth: { readonly challenge: Challenge; uses: number } | undefined;
  /** Set once removal starts: a refresh still in flight must not re-arm anything. */
  private removing = false;
  private closed = false;

  constructor(
    private readonly ctx: UaContext, private readonly hop: Endpoint, readonly options: RegistrationOptions,
    private readonly onClosed: (r: Registration) => void,
  ) {
    this.callId = ctx.ids.callId();
    this.fromTag = ctx.ids.tag();
    this.cseq = 1 + ctx.ids.below(1000);
    this.expiresSec = options.expiresSec;
  }

  get state(): RegistrationState {
    return this.stateValue;
  }

  /** Seconds the registrar granted at the last success (0 before). */
  get expires(): number {
    return this.grantedSec;
  }

  /** Registers now; later refreshes run on their own. */
  async register(): Promise<RegisterOutcome> {
    const outcome = await this.exchange(this.expiresSec);
    if (this.closed || this.removing) return outcome;
    if (outcome.kind === 'Registered') {
      this.grantedSec = outcome.expiresSec;
      this.move('Registered', outcome);
      this.schedule(refreshDelaySec(outcome.expiresSec));
    } else {
      this.move('Failed', outcome);
      this.schedule(RETRY_AFTER_FAILURE_SEC);
    }
    return outcome;
  }

  /** Removes the binding (Expires: 0) and stops refreshing. */
  async unregister(): Promise<RegisterOutcome> {
    if (this.closed || this.removing) return { kind: 'Unregistered' };
    this.removing = true;
    this.cancelRefresh();
    this.move('Unregistering', undefined);
    const outcome = await this.exchange(0);
    this.close();
    this.move('Unregistered', outcome);
    return outcome;
  }

  /** Stops refreshing without telling the registrar (the binding lapses on its own). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelRefresh();
    this.onClosed(this);
  }

  private move(state: RegistrationState, outcome: RegisterOutcome | undefined): void {
    this.stateValue = state;
    this.options.onChange?.(state, outcome);
  }

  private schedule(delaySec: number): void {
    this.cancelRefresh();
    this.refreshTimer = this.ctx.clock.schedule(delaySec * 1000, () => {
      this.refreshTimer = undefined;
      void this.register();
    });
  }

  private cancelRefresh(): void {
    if (this.refreshTimer !== undefined) this.ctx.clock.cancel(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  /** One REGISTER, with its challenge and 423 rounds, until a final answer. */
  private async exchange(expiresSec: number): Promise<RegisterOutcome> {
    let request = this.request(expiresSec);
    let answeredChallenges = 0;
    for (let round = 0; ; round++) {
      const response = await this.send(request);
      if (!('status' in response)) return response;
      if (response.status >= 200 && response.status < 300) {
        return expiresSec === 0 ? { kind: 'Unregistered' } : {
          kind: 'Registered', expiresSec: grantedExpires(response, this.contact().uri, expiresSec),
        };
      }
      let retry: SipRequest | undefined;
      if (round < MAX_ROUNDS && (response.status === 401 || response.status === 407)) {
        retry = answerChallenge(
          this.ctx, request, response, this.options.credentials, answeredChallenges++, this.hop.protocol, this.cseq + 1,
          (challenge) => (this.auth = { challenge, uses: 1 }),
        );
        if (retry !== undefined) this.cseq++;
      } else if (round < MAX_ROUNDS && response.status === 423 && expiresSec !== 0) {
        // §10.2.8: ask again for at least Min-Expires, and keep asking for it on refreshes.
        const longer = minimumExpires(response, expiresSec);
        if (longer !== undefined) {
          this.expiresSec = expiresSec = longer;
          retry = this.request(longer);
        }
      }
      if (retry === undefined) return { kind: 'Rejected', status: response.status, reason: response.reason };
      request = retry;
    }
  }

  private contact(): NameAddr {
    return localContact(this.ctx, this.hop.protocol);
  }

  private request(expiresSec: number): SipRequest {
    const register = buildRegister({
      registrar: this.options.registrar, aor: this.options.aor, fromTag: this.fromTag, callId: this.callId,
      cseq: ++this.cseq, contact: this.contact(), expiresSec, via: newVia(this.ctx, this.hop.protocol),
      userAgent: this.ctx.config.userAgent,
      ...(this.options.routes === undefined ? {} : { routes: this.options.routes }),
    });
    // Credentials ahead of a challenge, from the last one (RFC 7616 §3.4: a nonce may be reused with a higher nc).
    const credentials = this.options.credentials;
    const lines = this.auth === undefined || credentials === undefined ? undefined : credentialLines(
      this.ctx, register, this.auth.challenge, credentials, ++this.auth.uses,
    );
    return (lines ?? []).reduce((r, line) => appendHeader(r, line.name, line.value), register);
  }

  private send(request: SipRequest): Promise<SipResponse | Failure> {
    return new Promise((resolve) => {
      const sent = this.ctx.layer.sendRequest(request, this.hop, {
        onResponse: (response) => response.status >= 200 && resolve(response),
        onTimeout: () => resolve({ kind: 'Timeout' }),
        onTransportError: () => resolve({ kind: 'TransportError' }),
      });
      if (E.isLeft(sent)) resolve({ kind: 'TransportError' });
    });
  }
}
