import * as E from 'fp-ts/lib/Either.js';
import { buildCancel } from '../domain/sip/build-ack-cancel.js';
import { getTopVia } from '../domain/sip/core-headers.js';
import type { HeaderError } from '../domain/sip/header-error.js';
import type { SipHeader, SipMessage, SipRequest, SipResponse } from '../domain/sip/message.js';
import { isReliable, type Endpoint } from '../domain/transport/endpoint.js';
import { responseTarget } from '../domain/transport/response-target.js';
import {
  startInviteClient, stepInviteClient, type ClientConfig, type ClientEvent, type IctState,
} from '../domain/transaction/invite-client.js';
import { startInviteServer, stepInviteServer, type IstState } from '../domain/transaction/invite-server.js';
import { startNonInviteClient, stepNonInviteClient, type NictState } from '../domain/transaction/non-invite-client.js';
import { startNonInviteServer, stepNonInviteServer, type NistState } from '../domain/transaction/non-invite-server.js';
import type { ServerConfig, ServerEvent } from '../domain/transaction/server-event.js';
import type { Step } from '../domain/transaction/step.js';
import { DEFAULT_TIMERS, type TimerConfig } from '../domain/transaction/timer-config.js';
import type { TransactionEffect } from '../domain/transaction/transaction-effect.js';
import { transactionError, type TransactionError } from '../domain/transaction/transaction-error.js';
import {
  clientKeyOfRequest, clientKeyOfResponse, inviteKeyForCancel, serverKey,
} from '../domain/transaction/transaction-key.js';
import type { Clock } from '../ports/clock.js';
import { detachedMessage } from './detached-message.js';
import { ServerHandle } from './server-handle.js';
import { TransactionTimers, type TimedTransaction } from './transaction-timers.js';
import { ownString } from './own-string.js';
import type { Logger } from '../ports/logger.js';
import type { InboundMessage, SipTransport } from '../ports/sip-transport.js';
import type {
  ClientCallbacks, ClientTransaction, ServerTransaction, TransactionKind, TransactionLayerOptions, TransactionUser,
} from './transaction-user.js';

export type {
  ClientCallbacks, ClientTransaction, ServerTransaction, TransactionKind, TransactionLayerOptions, TransactionUser,
} from './transaction-user.js';

type ClientState = IctState | NictState;
type ServerState = IstState | NistState;

type AnyLive = LiveClient | LiveServer;

interface Live<S, C> extends TimedTransaction {
  readonly id: number;
  readonly key: string;
  readonly config: C;
  state: S;
}

interface LiveClient extends Live<ClientState, ClientConfig>, ClientTransaction {
  readonly callbacks: ClientCallbacks;
  /** Kept for a CANCEL until the final response, then released. */
  request: SipRequest | undefined;
  cancelWanted: boolean;
  provisionalSeen: boolean;
  finalSeen: boolean;
  /** Why the last send failed, for onTransportError. */
  failure: string | undefined;
}

/** A CANCEL asked for before any provisional response: sent when one comes. */
interface PendingCancel {
  readonly callbacks: ClientCallbacks | undefined;
  readonly headers: ReadonlyArray<SipHeader>;
}

interface LiveServer extends Live<ServerState, ServerConfig> {
  readonly handle: ServerHandle;
  readonly target: Endpoint;
  readonly connectionId: number | undefined;
}

/**
 * Owns the live transactions: matches messages to them in O(1), feeds events
 * to the pure state machines and carries out the effects through the transport
 * and clock ports. Terminated transactions release every timer at once.
 */
export class TransactionLayer {
  private readonly clients = new Map<string, LiveClient>();
  private readonly servers = new Map<string, LiveServer>();
  private readonly live: Record<TransactionKind, number> = { ict: 0, nict: 0, ist: 0, nist: 0 };
  private readonly timers: TimerConfig;
  private readonly logger: Logger | undefined;
  /** CANCELs asked for before any provisional response, keyed by INVITE transaction id (§9.1). */
  private readonly pendingCancels = new Map<number, PendingCancel>();
  /** One config per transport kind, shared by every transaction. */
  private readonly clientConfigs: { readonly udp: ClientConfig; readonly tcp: ClientConfig };
  private readonly serverConfigs: { readonly udp: ServerConfig; readonly tcp: ServerConfig };
  private readonly timerSet: TransactionTimers<AnyLive>;
  private nextId = 1;
  private discardedCount = 0;
  private closed = false;

  constructor(
    private readonly transport: SipTransport, clock: Clock, private readonly tu: TransactionUser,
    options: TransactionLayerOptions = {},
  ) {
    this.timers = options.timers ?? DEFAULT_TIMERS;
    this.clientConfigs = {
      udp: { timers: this.timers, reliable: false }, tcp: { timers: this.timers, reliable: true },
    };
    this.serverConfigs = {
      udp: { timers: this.timers, reliable: false }, tcp: { timers: this.timers, reliable: true },
    };
    this.logger = options.logger;
    this.timerSet = new TransactionTimers<AnyLive>(clock, (tx, timer) => {
      if ('handle' in tx) void this.dispatchServer(tx, { tag: 'TimerFired', timer: timer as 'J' });
      else this.dispatchClient(tx, { tag: 'TimerFired', timer: timer as 'D' });
    });
    transport.onMessage((inbound) => this.receive(inbound));
  }

  /** Live transactions by kind. */
  counts(): Readonly<Record<TransactionKind, number>> {
    return { ...this.live };
  }

  /** Events the RFC says to ignore (stray retransmissions and the like). */
  discarded(): number {
    return this.discardedCount;
  }

  /** Starts a client transaction: sends the request now and runs its timers. */
  sendRequest(
    request: SipRequest, target: Endpoint, callbacks: ClientCallbacks,
  ): E.Either<HeaderError | TransactionError, ClientTransaction> {
    if (this.closed) return E.left(transactionError('NotAResponse', 'transaction layer closed'));
    if (request.method === 'ACK') return E.left(
      transactionError('NotAResponse', 'ACK is not sent in a client transaction (§17)'),
    );
    const key = clientKeyOfRequest(request);
    if (E.isLeft(key)) return key;
    const config = isReliable(target.protocol) ? this.clientConfigs.tcp : this.clientConfigs.udp;
    const kind = request.method === 'INVITE' ? 'ict' : 'nict';
    const [state, effects] = kind === 'ict' ? startInviteClient(config, request) : startNonInviteClient(
      config, request,
    );
    const tx: LiveClient = {
      id: this.nextId++, key: ownString(key.right), kind, request, target, config, callbacks, state,
      timers: {}, lingering: undefined, cancelWanted: false, provisionalSeen: false, finalSeen: false,
      failure: undefined,
    };
    this.clients.set(tx.key, tx);
    this.live[kind]++;
    this.runClient(tx, effects);
    return E.right(tx);
  }

  /**
   * Cancels a pending INVITE (§9.1): the CANCEL goes out once a provisional
   * response has arrived; before that it waits; after a final response it is moot.
   */
  /**
   * CANCELs an INVITE (§9.1): at once when a provisional response came
   * ('sent'), else once one comes ('deferred'; a silent peer never gets it and
   * the INVITE ends by Timer B).
   */
  cancel(
    transaction: ClientTransaction, callbacks?: ClientCallbacks, headers: ReadonlyArray<SipHeader> = [],
  ): E.Either<TransactionError, 'sent' | 'deferred'> {
    const tx = this.clients.get((transaction as LiveClient).key);
    if (tx === undefined || tx.kind !== 'ict' || tx.finalSeen) return E.left(
      transactionError('ResponseAfterFinal', 'nothing to cancel: the INVITE is already answered or gone'),
    );
    if (tx.cancelWanted) return E.right(tx.provisionalSeen ? 'sent' : 'deferred');
    tx.cancelWanted = true;
    if (tx.provisionalSeen) this.sendCancel(tx, { callbacks, headers });
    else this.pendingCancels.set(tx.id, { callbacks, headers });
    return E.right(tx.provisionalSeen ? 'sent' : 'deferred');
  }

  /** Ends every transaction and timer (used when the stack stops). */
  close(): void {
    this.closed = true;
    for (const tx of [...this.clients.values()]) this.finish(tx, this.clients, tx.kind);
    for (const tx of [...this.servers.values()]) this.finish(tx, this.servers, tx.handle.kind);
    this.timerSet.close();
  }

  /** Live transactions waiting out a lingering timer, for the tests and the statistics. */
  lingering(): number {
    return this.timerSet.lingering();
  }

  /** ServerHandle.respond. */
  respondTo(key: string, id: number, response: SipResponse): E.Either<TransactionError, void> {
    return this.respond(key, id, response);
  }

  /** Whether server transaction `id` under `key` is still running. */
  serves(key: string, id: number): boolean {
    return this.servers.get(key)?.id === id;
  }

  private sendCancel(tx: LiveClient, { callbacks, headers }: PendingCancel): void {
    if (tx.request === undefined) return;
    const cancel = buildCancel(tx.request, headers);
    if (E.isLeft(cancel)) return;
    const result = this.sendRequest(cancel.right, tx.target, callbacks ?? { onResponse: () => undefined });
    if (E.isLeft(result)) this.logger?.warn('CANCEL not sent', { reason: result.left.detail });
  }

  private receive(inbound: InboundMessage): void {
    if (this.closed) return;
    const message = inbound.message;
    if (message.kind === 'response') return this.receiveResponse(message, inbound);
    this.receiveRequest(message, inbound);
  }

  private receiveResponse(response: SipResponse, inbound: InboundMessage): void {
    const key = clientKeyOfResponse(response);
    const tx = E.isRight(key) ? this.clients.get(key.right) : undefined;
    if (tx === undefined) {
      this.tu.onStrayResponse?.(response, inbound);
      return;
    }
    if (response.status < 200) tx.provisionalSeen = true;
    else tx.finalSeen = true;
    this.dispatchClient(tx, { tag: 'ResponseReceived', response });
    // Answered: no CANCEL can follow, and the request need not outlive Timers D, K or M.
    if (tx.finalSeen) tx.request = undefined;
    // §9.1: a CANCEL requested before any provisional response goes out now.
    const pending = response.status < 200 ? this.pendingCancels.get(tx.id) : undefined;
    if (tx.cancelWanted && pending !== undefined) {
      this.pendingCancels.delete(tx.id);
      this.sendCancel(tx, pending);
    }
  }

  private receiveRequest(request: SipRequest, inbound: InboundMessage): void {
    const key = serverKey(request);
    if (E.isLeft(key)) return void this.discardedCount++;
    const existing = this.servers.get(key.right);
    if (existing !== undefined) {
      // A retransmission, or the ACK for a non-2xx final response.
      this.dispatchServer(existing, { tag: 'RequestReceived', request }, inbound);
      return;
    }
    if (request.method === 'ACK') {
      this.tu.onAck?.(request, inbound);
      return;
    }
    this.startServer(request, inbound, ownString(key.right));
  }

  private startServer(request: SipRequest, inbound: InboundMessage, key: string): void {
    const via = getTopVia(request);
    if (E.isLeft(via)) return void this.discardedCount++;
    const kind = request.method === 'INVITE' ? 'ist' : 'nist';
    const config = isReliable(inbound.source.protocol) ? this.serverConfigs.tcp : this.serverConfigs.udp;
    const [state, effects] = kind === 'ist' ? startInviteServer(request) : startNonInviteServer(request);
    const id = this.nextId++;
    const handle = new ServerHandle(id, kind, request.method, inbound.source, inbound.connectionId, this, key);
    const tx: LiveServer = {
      id, key, config, state, handle, timers: {}, lingering: undefined,
      target: responseTarget(via.right, inbound.source), connectionId: inbound.connectionId,
    };
    this.servers.set(key, tx);
    this.live[kind]++;
    this.runServer(tx, effects.filter((e) => e.tag !== 'PassUp'));
    let cancelled: ServerTransaction | undefined;
    if (request.method === 'CANCEL') {
      const inviteKey = inviteKeyForCancel(request);
      cancelled = E.isRight(inviteKey) ? this.servers.get(inviteKey.right)?.handle : undefined;
    }
    this.tu.onRequest(request, handle, cancelled);
  }

  private respond(key: string, id: number, response: SipResponse): E.Either<TransactionError, void> {
    const tx = this.servers.get(key);
    if (tx === undefined || tx.id !== id) return E.left(
      transactionError('ResponseAfterFinal', 'the transaction has terminated'),
    );
    // Over UDP a final response the transaction retransmits (non-INVITE final, INVITE 300–699) stays
    // until Timer J or H/I (up to 32 s): its copied header values are slices of the request's text,
    // so keep copies that do not hold the request.
    const retained = response.status >= 200 && !tx.config.reliable && (
      tx.handle.kind === 'nist' || response.status >= 300
    );
    const kept = retained ? detachedMessage(response) : response;
    return this.dispatchServer(tx, { tag: 'TuResponse', response: kept });
  }

  private dispatchClient(tx: LiveClient, event: ClientEvent): void {
    const step: Step<ClientState> = tx.kind === 'ict'
      ? stepInviteClient(tx.config, tx.state as IctState, event)
      : stepNonInviteClient(tx.config, tx.state as NictState, event);
    if (E.isLeft(step)) return void this.discardedCount++;
    tx.state = step.right[0];
    this.runClient(tx, step.right[1]);
  }

  /** `inbound` is the message that caused `event`, when one did. */
  private dispatchServer(
    tx: LiveServer, event: ServerEvent, inbound?: InboundMessage,
  ): E.Either<TransactionError, void> {
    const step: Step<ServerState> = tx.handle.kind === 'ist'
      ? stepInviteServer(tx.config, tx.state as IstState, event)
      : stepNonInviteServer(tx.config, tx.state as NistState, event);
    if (E.isLeft(step)) return step;
    tx.state = step.right[0];
    this.runServer(tx, step.right[1], inbound);
    return E.right(undefined);
  }

  private runClient(tx: LiveClient, effects: ReadonlyArray<TransactionEffect>): void {
    for (const effect of effects) {
      switch (effect.tag) {
        case 'Send':
          this.send(effect.message, tx.target, undefined, (detail) => {
            tx.failure = detail;
            this.dispatchClient(tx, { tag: 'TransportFailed' });
          });
          break;
        case 'StartTimer': {
          const timer = effect.timer as 'A';
          this.timerSet.start(tx, timer, effect.delayMs, () => this.dispatchClient(tx, { tag: 'TimerFired', timer }));
          break;
        }
        case 'CancelTimer': this.timerSet.cancel(tx, effect.timer); break;
        case 'PassUp': tx.callbacks.onResponse(effect.message as SipResponse); break;
        case 'Timeout': tx.callbacks.onTimeout?.(); break;
        case 'TransportError': tx.callbacks.onTransportError?.(tx.failure ?? 'the transport failed'); break;
        case 'Terminated':
          this.finish(tx, this.clients, tx.kind);
          this.pendingCancels.delete(tx.id);
          tx.callbacks.onTerminated?.(effect.reason);
          break;
        case 'Discarded': this.discardedCount++; break;
      }
    }
  }

  private runServer(tx: LiveServer, effects: ReadonlyArray<TransactionEffect>, inbound?: InboundMessage): void {
    const connectionId = tx.connectionId;
    for (const effect of effects) {
      switch (effect.tag) {
        case 'Send':
          this.send(effect.message, tx.target, connectionId, () => this.dispatchServer(tx, { tag: 'TransportFailed' }));
          break;
        case 'StartTimer': {
          const timer = effect.timer as 'G';
          this.timerSet.start(
            tx, timer, effect.delayMs, () => void this.dispatchServer(tx, { tag: 'TimerFired', timer }),
          );
          break;
        }
        case 'CancelTimer': this.timerSet.cancel(tx, effect.timer); break;
        // An ACK is passed up only for a received message, so its inbound is always there.
        case 'PassUp':
          if (inbound !== undefined && effect.message.kind === 'request' && effect.message.method === 'ACK') {
            this.tu.onAck?.(effect.message, inbound);
          }
          break;
        case 'Timeout': case 'TransportError': break;
        case 'Terminated':
          this.finish(tx, this.servers, tx.handle.kind);
          this.tu.onServerTerminated?.(tx.handle, effect.reason);
          break;
        case 'Discarded': this.discardedCount++; break;
      }
    }
  }

  private send(
    message: SipMessage, target: Endpoint, connectionId: number | undefined, onFailure: (detail: string) => void,
  ): void {
    void this.transport.send(message, target, connectionId).then((result) => {
      if (E.isLeft(result) && !this.closed) onFailure(result.left.detail);
    });
  }

  private finish<T extends AnyLive>(tx: T, map: Map<string, T>, kind: TransactionKind): void {
    if (map.get(tx.key) !== tx) return;
    this.timerSet.cancelAll(tx);
    map.delete(tx.key);
    this.live[kind]--;
  }
}
