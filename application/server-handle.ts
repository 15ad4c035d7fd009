import type * as E from 'fp-ts/lib/Either.js';
import type { SipResponse } from '../domain/sip/message.js';
import type { TransactionError } from '../domain/transaction/transaction-error.js';
import type { Endpoint } from '../domain/transport/endpoint.js';
import type { ServerTransaction } from './transaction-user.js';

/** The layer behind a server handle: it answers for transaction `id` while that still runs under `key`. */
export interface ServerTransactions {
  respondTo(key: string, id: number, response: SipResponse): E.Either<TransactionError, void>;
  serves(key: string, id: number): boolean;
}

/**
 * A server transaction as its TU holds it: a few fields, its methods shared
 * (no closures per transaction, which a server making thousands a second
 * and keeping them 32 s would pay for in memory).
 */
export class ServerHandle implements ServerTransaction {
  constructor(
    readonly id: number, readonly kind: 'ist' | 'nist', readonly method: string, readonly source: Endpoint,
    readonly connectionId: number | undefined, private readonly layer: ServerTransactions,
    private readonly key: string,
  ) {}

  respond(response: SipResponse): E.Either<TransactionError, void> {
    return this.layer.respondTo(this.key, this.id, response);
  }

  isTerminated(): boolean {
    return !this.layer.serves(this.key, this.id);
  }
}
