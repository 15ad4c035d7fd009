import * as E from 'fp-ts/lib/Either.js';
import {
  algorithmHash, challengeValue, checkNonce, digestUriMatches, expectedResponse, makeNonce, nonceIssuedAt,
  readCredentials, sameHex,
  type ClientCredentials, type DigestAlgorithm,
} from '../../domain/sip/digest-server.js';
import type { Hasher } from '../../domain/sip/digest.js';
import type { SipHeader, SipRequest } from '../../domain/sip/message.js';
import { getCredentials } from '../../domain/sip/typed-headers.js';
import type { Clock } from '../../ports/clock.js';
import type { CredentialStore } from '../../ports/credential-store.js';
import type { Logger } from '../../ports/logger.js';
import type { IdGenerator } from '../id-generator.js';
import type { Answer } from '../ua/invite-session.js';
import type { RequestSource } from '../ua/ua-handler.js';

export interface AuthenticationSettings {
  readonly realm: string;
  /** Methods whose new requests must authenticate (in-dialog requests never are). */
  readonly methods: ReadonlyArray<string>;
  /** Offered in this order of preference (RFC 8760: one challenge per algorithm). */
  readonly algorithms: ReadonlyArray<DigestAlgorithm>;
  /** 'www': 401 and WWW-Authenticate for every method; 'proxy': 407 and Proxy-Authenticate except for REGISTER. */
  readonly challenge: 'www' | 'proxy';
  readonly nonceLifetimeMs: number;
  /** Failed attempts from one address within `failureWindowMs` after which it is refused for that long. */
  readonly maxFailures: number;
  readonly failureWindowMs: number;
  /** Nonces whose counts are remembered at once (default 100,000); the oldest are forgotten beyond. */
  readonly maxTrackedNonces?: number;
}

export interface AuthCounters {
  readonly challenged: number;
  readonly accepted: number;
  readonly failed: number;
  readonly throttled: number;
}

interface SourceRecord {
  failures: number;
  windowStartMs: number;
  blockedUntilMs: number;
}

/** Bounds on what we remember: nonce counts in use and sources that failed. */
const MAX_NONCES = 100_000;
const MAX_SOURCES = 10_000;

/**
 * Digest authentication of incoming requests (RFC 3261 §22, RFC 7616, RFC
 * 8760): challenges with self-checking nonces bound to their issue time
 * (stale=true once expired), nonce counts that only go up (a replay is
 * challenged afresh), HA1 from the credential store, and an address that
 * keeps failing refused for a while (403 with Retry-After) so guessing
 * passwords costs the guesser, not us.
 */
export class Authenticator {
  private readonly secret: string;
  private readonly opaque: string;
  /** Highest nonce count seen per nonce (qop): a request must count higher (replay protection). */
  private readonly counts = new Map<string, number>();
  /** Live nonces issued up to this time may have had their counts forgotten (the table was full). */
  private forgottenUpToMs = Number.NEGATIVE_INFINITY;
  private readonly maxNonces: number;
  private readonly sources = new Map<string, SourceRecord>();
  /** Who each admitted request authenticated as. */
  private readonly identities = new WeakMap<SipRequest, string>();
  private readonly tally = { challenged: 0, accepted: 0, failed: 0, throttled: 0 };

  constructor(
    private readonly settings: AuthenticationSettings, private readonly store: CredentialStore,
    private readonly hasher: Hasher, private readonly ids: IdGenerator, private readonly clock: Clock,
    private readonly logger: Logger | undefined,
  ) {
    this.secret = ids.token(32);
    this.maxNonces = settings.maxTrackedNonces ?? MAX_NONCES;
    this.opaque = ids.token(16);
  }

  counters(): AuthCounters {
    return { ...this.tally };
  }

  /** The username a request authenticated as, once admitted (undefined for one that needed none). */
  identity(request: SipRequest): string | undefined {
    return this.identities.get(request);
  }

  /** Nothing (go on), or the answer to send instead: a challenge, a refusal. */
  async admit(request: SipRequest, source: RequestSource): Promise<Answer | undefined> {
    if (!this.settings.methods.includes(request.method)) return undefined;
    const now = this.clock.nowMs();
    const address = source.endpoint.host;
    const record = this.sources.get(address);
    if (record !== undefined && record.blockedUntilMs > now) {
      this.tally.throttled++;
      const retry = Math.ceil((record.blockedUntilMs - now) / 1000);
      return {
        status: 403, reason: 'Forbidden (too many failed attempts)',
        headers: [{ name: 'Retry-After', value: String(retry) }],
      };
    }
    const proxy = this.settings.challenge === 'proxy' && request.method !== 'REGISTER';
    const offered = getCredentials(request, proxy ? 'Proxy-Authorization' : 'Authorization');
    if (E.isLeft(offered)) return { status: 400, reason: 'Bad Request (credentials)' };
    const ours = offered.right.map(readCredentials).flatMap((c) => (E.isRight(c) ? [c.right] : []))
      .find((c) => c.realm === this.settings.realm);
    // No credentials yet: the usual first request (a load test sends thousands from one address), challenged
    // cheaply — a nonce is a hash, nothing is kept — and never counted as a failure.
    if (ours === undefined) return this.challenge(proxy, false);
    const nonce = checkNonce(ours.nonce, now, this.settings.nonceLifetimeMs, this.secret, this.hasher);
    if (nonce === 'Forged' || ours.opaque !== this.opaque) return this.challenge(proxy, false);
    const verdict = await this.verify(request, ours);
    if (verdict === 'Unknown' || verdict === 'Wrong') {
      this.failed(address, now);
      this.logger?.info('authentication failed', { user: ours.username, from: address, method: request.method });
      return this.challenge(proxy, false);
    }
    // Right password, expired nonce: ask again with stale=true, so the client retries without asking its user.
    if (nonce === 'Stale') return this.challenge(proxy, true);
    if (!this.fresh(ours)) return this.challenge(proxy, true);
    this.tally.accepted++;
    this.identities.set(request, ours.username);
    return undefined;
  }

  private async verify(request: SipRequest, credentials: ClientCredentials): Promise<'Right' | 'Wrong' | 'Unknown'> {
    const algorithm = algorithmHash(credentials.algorithm);
    const base = algorithm?.hash;
    if (base === undefined || !this.settings.algorithms.includes(base)) return 'Wrong';
    // The digest-uri must be the Request-URI the request carries (RFC 7616 §3.4.6).
    if (!digestUriMatches(credentials.uri, request.uri)) return 'Wrong';
    const ha1 = await this.store.ha1(credentials.username, this.settings.realm, base);
    if (ha1 === undefined) return 'Unknown';
    const expected = expectedResponse(credentials, ha1, request.method, request.body, this.hasher);
    return expected !== undefined && sameHex(expected, credentials.response) ? 'Right' : 'Wrong';
  }

  /** Nonce counts go up (qop): a count seen before is a replay. Without qop there is no count to check. */
  private fresh(credentials: ClientCredentials): boolean {
    if (credentials.nc === undefined) return true;
    const last = this.counts.get(credentials.nonce);
    // A nonce whose count we had to forget could be replayed from 1 again: it is refused as stale instead.
    if (last === undefined && nonceIssuedAt(credentials.nonce) <= this.forgottenUpToMs) return false;
    if (credentials.nc <= (last ?? 0)) return false;
    if (this.counts.size >= this.maxNonces) this.forgetOldNonces();
    this.counts.set(credentials.nonce, credentials.nc);
    return true;
  }

  /**
   * The table is full: the oldest entries go (first used, first out: about issue order), expired ones and
   * as many live ones as needed for room — a few per call, never a scan of the whole table.
   */
  private forgetOldNonces(): void {
    const now = this.clock.nowMs();
    for (const nonce of this.counts.keys()) {
      const issued = nonceIssuedAt(nonce);
      const expired = !(now - issued <= this.settings.nonceLifetimeMs);
      if (this.counts.size < this.maxNonces && !expired) break;
      if (!expired) this.forgottenUpToMs = Math.max(this.forgottenUpToMs, issued);
      this.counts.delete(nonce);
    }
  }

  private failed(address: string, now: number): void {
    this.tally.failed++;
    let record = this.sources.get(address);
    if (record === undefined || now - record.windowStartMs > this.settings.failureWindowMs) {
      if (record === undefined && this.sources.size >= MAX_SOURCES) {
        const oldest = this.sources.keys().next().value;
        if (oldest !== undefined) this.sources.delete(oldest);
      }
      record = { failures: 0, windowStartMs: now, blockedUntilMs: 0 };
      this.sources.set(address, record);
    }
    record.failures++;
    if (record.failures >= this.settings.maxFailures) {
      record.blockedUntilMs = now + this.settings.failureWindowMs;
      this.logger?.warn('address refused after repeated authentication failures', {
        from: address, failures: record.failures,
      });
    }
  }

  private challenge(proxy: boolean, stale: boolean): Answer {
    this.tally.challenged++;
    const nonce = makeNonce(this.clock.nowMs(), this.ids.token(12), this.secret, this.hasher);
    const name = proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate';
    const headers: SipHeader[] = this.settings.algorithms.map((algorithm) => ({
      name, value: challengeValue(this.settings.realm, nonce, this.opaque, algorithm, stale),
    }));
    return { status: proxy ? 407 : 401, headers };
  }
}
