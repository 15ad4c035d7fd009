/**
 * A client of the control API for tests: JSON requests with an optional bearer token, and the /events
 * WebSocket collected into an array with waits on what arrived.
 */
import WebSocket from 'ws';
import type { SessionEvent } from '../../adapters/composition/index.js';
import { waitFor } from './wait.js';

export interface ApiReply {
  readonly status: number;
  /** Parsed JSON from the server under test: `any` because its shape is what the test checks. */
  readonly body: any;
}

export const controlClient = (base: string, token?: string) => {
  const request = async (method: string, path: string, body?: unknown): Promise<ApiReply> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const json = (response.headers.get('content-type') ?? '').startsWith('application/json');
    return { status: response.status, body: json ? JSON.parse(text) as unknown : text };
  };
  return {
    get: (path: string) => request('GET', path),
    post: (path: string, body?: unknown) => request('POST', path, body),
    delete: (path: string) => request('DELETE', path),
  };
};

export interface EventEnvelope {
  readonly seq: number;
  readonly at: number;
  readonly dropped: number;
  readonly event: SessionEvent;
}

export interface EventLog {
  readonly received: EventEnvelope[];
  /** The first event (from index `after` on) that matches, waiting for it. */
  next(match: (event: SessionEvent) => boolean, label: string, after?: number): Promise<SessionEvent>;
  close(): void;
}

/** Connects to /events (with `query`), resolving once the server accepted the upgrade. */
export const eventLog = async (wsBase: string, query = ''): Promise<EventLog> => {
  const socket = new WebSocket(`${wsBase}/events${query}`);
  const received: EventEnvelope[] = [];
  // A message holds the events of one turn of the server's loop, one JSON envelope per line.
  socket.on('message', (data: Buffer) => {
    for (const line of data.toString('utf8').split('\n')) received.push(JSON.parse(line) as EventEnvelope);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    received,
    next: async (match, label, after = 0) => {
      let found: SessionEvent | undefined;
      await waitFor(() => {
        found = received.slice(after).find((envelope) => match(envelope.event))?.event;
        return found !== undefined;
      }, 30_000, label);
      return found!;
    },
    close: () => socket.close(),
  };
};
