/** An input nobody may send in the transaction's state; the caller must react (never a network input). */
export type TransactionErrorReason = 'ResponseAfterFinal' | 'NotAllowed408' | 'NotAResponse' | 'BadProvisional';

export interface TransactionError {
  readonly kind: 'TransactionError';
  readonly reason: TransactionErrorReason;
  readonly detail: string;
}

export const transactionError = (reason: TransactionErrorReason, detail: string): TransactionError => ({
  kind: 'TransactionError', reason, detail,
});
