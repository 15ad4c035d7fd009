import * as E from 'fp-ts/lib/Either.js';
import {
  aorOf, bindingContacts, processRegister, type Binding, type RegistrarPolicy,
} from '../../domain/registrar/registrar.js';
import type { SessionEvent } from '../../domain/session/session-event.js';
import { coreHeaders } from '../../domain/sip/core-headers.js';
import { headerValues, type SipHeader, type SipRequest } from '../../domain/sip/message.js';
import { parseUri } from '../../domain/sip/parse-uri.js';
import { sipDate } from '../../domain/sip/sip-date.js';
import type { Clock, TimerHandle } from '../../ports/clock.js';
import type { LocationStore } from '../../ports/location-store.js';
import type { Logger } from '../../ports/logger.js';
import type { Answer } from '../ua/invite-session.js';
import type { RequestSource } from '../ua/ua-handler.js';
import { endpointKey } from '../../domain/transport/endpoint.js';
import type { ClosedFlow } from '../../ports/sip-transport.js';

export interface RegistrarSettings extends RegistrarPolicy {
  /** Domains we keep bindings for (compared case-insensitively); REGISTERs for others are refused 403. */
  readonly domains: ReadonlyArray<string>;
  /** How often expired bindings are swept out (one clock timer for all of them). */
  readonly sweepIntervalMs: number;
}

/** Who a REGISTER authenticated as, when authentication is on. */
export type IdentityOf = (request: SipRequest) => string | undefined;

/**
 * The registrar (RFC 3261 §10.3): REGISTER for a domain we serve, from the
 * user of that address (when requests are authenticated), processed by the
 * pure rules of domain/registrar against the location store; the 200 lists
 * every binding with what it has left and the Date. REGISTERs for one AOR are
 * processed one at a time; expired bindings go in a periodic sweep, each with
 * a RegistrationExpired event.
 */
export class RegistrarService {
  private readonly domains: ReadonlySet<string>;
  /** The REGISTER under way per AOR: the next waits for it (the store may be shared and slow). */
  private readonly pending = new Map<string, Promise<unknown>>();
  private sweepTimer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    private readonly settings: RegistrarSettings, private readonly store: LocationStore,
    private readonly identityOf: IdentityOf | undefined, private readonly publish: (event: SessionEvent) => void,
    private readonly clock: Clock, private readonly logger: Logger | undefined,
  ) {
    this.domains = new Set(settings.domains.map((d) => d.toLowerCase()));
  }

  start(): void {
    if (this.sweepTimer !== undefined || this.stopped) return;
    const sweep = (): void => {
      this.sweepTimer = undefined;
      void this.store.sweep(this.clock.nowMs()).then((expired) => {
        for (const b of expired) this.publish({ type: 'RegistrationExpired', aor: b.aor, contact: b.uri });
      }, (error: unknown) => this.logger?.warn('location sweep failed', { error: String(error) })).finally(() => {
        if (!this.stopped) this.sweepTimer = this.clock.schedule(this.settings.sweepIntervalMs, sweep);
      });
    };
    this.sweepTimer = this.clock.schedule(this.settings.sweepIntervalMs, sweep);
  }

  stop(): void {
    this.stopped = true;
    if (this.sweepTimer !== undefined) this.clock.cancel(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  /** The live bindings of `aor` (an address of record, in any spelling of it), highest q first. */
  async lookup(aor: string): Promise<ReadonlyArray<Binding>> {
    const uri = parseUri(/^sips?:/i.test(aor) ? aor : `sip:${aor}`);
    const key = E.isRight(uri) ? aorOf(uri.right) : undefined;
    if (key === undefined) return [];
    const now = this.clock.nowMs();
    const bindings = (await this.store.bindings(key)).filter((b) => b.expiresAtMs > now);
    return [...bindings].sort((a, b) => (b.q ?? 0) - (a.q ?? 0));
  }

  async list(): Promise<ReadonlyArray<Binding>> {
    const now = this.clock.nowMs();
    return (await this.store.all()).filter((b) => b.expiresAtMs > now);
  }

  /**
   * A connection closed: the bindings that could only be reached over it (a WebSocket client's `.invalid`
   * contact, RFC 7118 §5; RFC 5626 §5.3) are gone with it, so calls to their user fail at once instead of
   * waiting on a flow nobody holds.
   */
  async flowClosed(flow: ClosedFlow): Promise<void> {
    const key = endpointKey(flow.remote);
    const dead = (b: Binding): boolean => b.connectionId === flow.connectionId && endpointKey(b.source) === key;
    const affected = new Set((await this.store.all()).filter(dead).map((b) => b.aor));
    for (const aor of affected) {
      await this.serialized(aor, async () => {
        const bindings = await this.store.bindings(aor);
        const removed = bindings.filter(dead);
        if (removed.length === 0) return;
        await this.store.replace(aor, bindings.filter((b) => !dead(b)));
        for (const b of removed) this.publish({ type: 'RegistrationRemoved', aor, contact: b.uri });
      });
    }
  }

  /** A REGISTER addressed to us. */
  register(request: SipRequest, source: RequestSource): Promise<Answer> {
    const core = coreHeaders(request);
    if (E.isLeft(core) || core.right.to === undefined) return Promise.resolve({ status: 400 });
    const target = request.uri;
    if (target.kind !== 'sip' || !this.domains.has(target.host.toLowerCase())) return Promise.resolve({
      status: 403, reason: 'Forbidden (domain not served here)',
    });
    const to = core.right.to.uri;
    const aor = aorOf(to);
    if (aor === undefined || to.kind !== 'sip' || !this.domains.has(to.host.toLowerCase())) {
      return Promise.resolve({ status: 404, reason: 'Not Found (address not served here)' });
    }
    const identity = this.identityOf?.(request);
    if (identity !== undefined && identity !== to.user) return Promise.resolve({
      status: 403, reason: 'Forbidden (not your address of record)',
    });
    return this.serialized(aor, () => this.apply(request, aor, source));
  }

  /** One change per AOR at a time: each reads the bindings the previous one wrote. */
  private serialized<T>(aor: string, change: () => Promise<T>): Promise<T> {
    const previous = this.pending.get(aor) ?? Promise.resolve();
    const next = previous.then(change);
    const settled = next.then(() => undefined, () => undefined);
    this.pending.set(aor, settled);
    void settled.then(() => {
      if (this.pending.get(aor) === settled) this.pending.delete(aor);
    });
    return next;
  }

  private async apply(request: SipRequest, aor: string, source: RequestSource): Promise<Answer> {
    const now = this.clock.nowMs();
    const existing = await this.store.bindings(aor);
    const outcome = processRegister(request, aor, existing, now, this.settings, source);
    if (outcome.kind === 'Refused') return { status: outcome.status, reason: outcome.reason, headers: outcome.headers };
    const changed = outcome.added.length + outcome.refreshed.length + outcome.removed.length > 0;
    if (changed) await this.store.replace(aor, outcome.bindings);
    for (const b of outcome.added) {
      this.publish({ type: 'RegistrationAdded', aor, contact: b.uri, expiresSec: left(b, now) });
    }
    for (const b of outcome.refreshed) {
      this.publish({ type: 'RegistrationRefreshed', aor, contact: b.uri, expiresSec: left(b, now) });
    }
    for (const b of outcome.removed) this.publish({ type: 'RegistrationRemoved', aor, contact: b.uri });
    const headers: SipHeader[] = [
      ...bindingContacts(outcome.bindings, now), { name: 'Date', value: sipDate(this.clock.epochMs()) },
      // RFC 3327 §5.3: the Path the registrar stored goes back in the 200.
      ...headerValues(request, 'Path').map((value) => ({ name: 'Path', value })),
    ];
    return { status: 200, headers };
  }
}

const left = (b: Binding, now: number): number => Math.round((b.expiresAtMs - now) / 1000);
