import { ownString } from '../../application/own-string.js';
import type { SipTraceEntry } from '../shared/tracing-transport.js';

/** One message of a call's ladder, as the control API and the dashboard show it. */
export interface TraceLine {
  readonly atMs: number;
  readonly direction: 'in' | 'out';
  readonly local: string;
  readonly remote: string;
  readonly summary: string;
  readonly bodyLength: number;
}

export interface CallTracesOptions {
  /** Calls whose messages are kept (the most recent; default 2,000). */
  readonly maxCalls?: number;
  /** Messages kept per call (the first ones; default 200: a long call's refreshes do not grow it further). */
  readonly maxLinesPerCall?: number;
}

/**
 * The SIP messages of recent calls by Call-ID, for ladders: fed by the transport's trace hook, bounded in
 * calls and in messages per call, so a busy server keeps a fixed amount whatever its traffic.
 */
export class CallTraces {
  /** Insertion order is age: the first key is the oldest call. */
  private readonly calls = new Map<string, TraceLine[]>();
  private readonly maxCalls: number;
  private readonly maxLines: number;

  constructor(options: CallTracesOptions = {}) {
    this.maxCalls = options.maxCalls ?? 2_000;
    this.maxLines = options.maxLinesPerCall ?? 200;
  }

  /** For `withSipTrace`. */
  readonly record = (entry: SipTraceEntry): void => {
    const callId = entry.callId;
    if (callId === undefined) return;
    let lines = this.calls.get(callId);
    if (lines === undefined) {
      if (this.calls.size >= this.maxCalls) this.calls.delete(this.calls.keys().next().value!);
      lines = [];
      this.calls.set(callId, lines);
    }
    if (lines.length >= this.maxLines) return;
    lines.push({
      atMs: entry.atMs, direction: entry.direction, local: entry.local, remote: entry.remote,
      // Its own copy: the summary is cut from the message, whose whole text it would otherwise keep.
      summary: ownString(entry.summary), bodyLength: entry.bodyLength,
    });
  };

  lines(callId: string): ReadonlyArray<TraceLine> {
    return this.calls.get(callId) ?? [];
  }
}
