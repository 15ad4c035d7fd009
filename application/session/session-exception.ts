import type { SessionError } from '../../domain/session/session-error.js';

/**
 * The public API throws and rejects with real Error objects (stack traces,
 * `instanceof Error`) that carry the SessionError fields: `kind`, `message`,
 * and the case's details (status, field, sessionId…).
 */
export type SessionException = Error & SessionError;

export const sessionException = (error: SessionError): SessionException =>
  Object.assign(new Error(error.message), error, { name: 'SessionError' }) as SessionException;
