import * as E from 'fp-ts/lib/Either.js';
import type { RegistrationStateName } from '../../domain/session/session-event.js';
import { parseTarget } from '../../domain/session/call-target.js';
import { invalidArgument, rejected, type SessionError } from '../../domain/session/session-error.js';
import { formatUri } from '../../domain/sip/format-uri.js';
import type { NameAddr } from '../../domain/sip/name-addr.js';
import type { IdGenerator } from '../id-generator.js';
import type { UserCredentials } from '../ua/challenge.js';
import type { Registration } from '../ua/registration.js';
import type { ServerLocator } from '../transport/server-locator.js';
import type { UaCore } from '../ua/ua-core.js';
import type { EventBus } from './event-bus.js';

export interface RegisterOptions {
  /** Address of record; default `sip:USER@REGISTRAR-HOST` with the credentials' username. */
  readonly aor?: string;
  /** Asked-for lifetime of the binding (default 3600 s); refreshed before it lapses. */
  readonly expiresSec?: number;
  /** Instead of the builder's `withCredentials`. */
  readonly credentials?: UserCredentials;
}

export interface RegistrationInfo {
  readonly id: string;
  readonly aor: string;
  readonly registrar: string;
  readonly state: RegistrationStateName;
  /** What the registrar granted at the last success (0 before). */
  readonly expiresSec: number;
}

interface Entry {
  readonly id: string;
  readonly aor: string;
  readonly registrar: string;
  readonly registration: Registration;
}

/** The coordinator's registrations: started, listed, removed, and all removed at stop. */
export class RegistrationService {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ua: UaCore, private readonly ids: IdGenerator, private readonly events: EventBus,
    private readonly defaults: UserCredentials | undefined, private readonly routes: ReadonlyArray<NameAddr>,
    /** RFC 3263 location of the registrar (its first server); without it the URI's host is used as it is. */
    private readonly locator?: ServerLocator,
  ) {}

  async register(registrar: string, options: RegisterOptions): Promise<E.Either<SessionError, RegistrationInfo>> {
    const target = parseTarget(registrar);
    if (E.isLeft(target)) return target;
    const registrarUri = target.right.uri;
    if (registrarUri.kind !== 'sip') return E.left({
      kind: 'InvalidUri', uri: registrar, message: `not a SIP URI: ${registrar}`,
    });
    const credentials = options.credentials ?? this.defaults;
    const aorText = options.aor ?? (
      credentials === undefined ? undefined : `sip:${credentials.username}@${registrarUri.host}`
    );
    if (aorText === undefined) return E.left(invalidArgument('aor', 'needed when no credentials name the user'));
    const aor = parseTarget(aorText);
    if (E.isLeft(aor)) return aor;
    const expiresSec = options.expiresSec ?? 3600;
    if (!Number.isInteger(expiresSec) || expiresSec <= 0) return E.left(
      invalidArgument('expiresSec', 'a positive whole number of seconds'),
    );
    const located = this.locator === undefined ? undefined
      : await this.locator.locate(this.routes[0]?.uri ?? registrarUri);
    if (located !== undefined && E.isLeft(located)) return E.left({
      kind: 'TransportError', message: `cannot reach the registrar: ${located.left.detail}`,
    });
    const id = `reg-${this.ids.token(12)}`;
    const aorUri = formatUri(aor.right.uri);
    const created = this.ua.registration({
      registrar: registrarUri, aor: { uri: aor.right.uri, params: [] }, expiresSec,
      ...(credentials === undefined ? {} : { credentials }),
      ...(this.routes.length === 0 ? {} : { routes: this.routes }),
      ...(located?.right[0] === undefined ? {} : { target: located.right[0] }),
      onChange: (state, outcome) => this.events.publish({
        type: 'RegistrationChanged', registrationId: id, aor: aorUri, state,
        ...(outcome?.kind === 'Registered' ? { expiresSec: outcome.expiresSec } : {}),
        ...(outcome?.kind === 'Rejected' ? { status: outcome.status } : {}),
      }),
    });
    if (E.isLeft(created)) return E.left({
      kind: 'TransportError', message: `cannot reach the registrar: ${created.left.detail}`,
    });
    const entry: Entry = { id, aor: aorUri, registrar: formatUri(registrarUri), registration: created.right };
    this.entries.set(id, entry);
    const outcome = await created.right.register();
    if (outcome.kind === 'Registered') return E.right(this.info(entry));
    // A first attempt that fails is reported, not retried behind the caller's back.
    created.right.close();
    this.entries.delete(id);
    return E.left(
      failure(outcome.kind === 'Rejected' ? rejected(outcome.status, outcome.reason) : undefined, outcome.kind),
    );
  }

  async unregister(id: string): Promise<E.Either<SessionError, void>> {
    const entry = this.entries.get(id);
    if (entry === undefined) return E.left({
      kind: 'SessionNotFound', sessionId: id, message: `no registration ${id}`,
    });
    this.entries.delete(id);
    const outcome = await entry.registration.unregister();
    if (outcome.kind === 'Unregistered') return E.right(undefined);
    return E.left(
      failure(outcome.kind === 'Rejected' ? rejected(outcome.status, outcome.reason) : undefined, outcome.kind),
    );
  }

  list(): RegistrationInfo[] {
    return [...this.entries.values()].map((e) => this.info(e));
  }

  /** Removes every binding (graceful stop); failures are ignored, the caller bounds the wait. */
  unregisterAll(): Promise<void> {
    return Promise.all([...this.entries.keys()].map((id) => this.unregister(id))).then(() => undefined);
  }

  private info(entry: Entry): RegistrationInfo {
    return {
      id: entry.id, aor: entry.aor, registrar: entry.registrar, state: entry.registration.state,
      expiresSec: entry.registration.expires,
    };
  }
}

const failure = (refusal: SessionError | undefined, kind: string): SessionError =>
  refusal ?? (kind === 'Timeout'
    ? { kind: 'Timeout', message: 'the registrar did not answer' }
    : { kind: 'TransportError', message: 'the REGISTER could not be sent' });
