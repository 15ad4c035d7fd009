import * as E from 'fp-ts/lib/Either.js';
import type { NetworkTap, SimPacket } from '../../adapters/sim/simulated-network.js';
import { headerValue, type SipMessage } from '../../domain/sip/message.js';
import { parseMessage } from '../../domain/sip/parse-message.js';
import { DEFAULT_TIMERS } from '../../domain/transaction/timer-config.js';

/** A broken rule, with what identifies the call it happened in. */
export interface Violation {
  readonly invariant: string;
  readonly detail: string;
  readonly atMs: number;
  readonly agent?: string;
  readonly callId?: string;
  /** The swarm's call number, when known. */
  readonly call?: number;
}

interface ClientTx {
  readonly method: string;
  readonly firstAtMs: number;
  lastAtMs: number;
  retransmissions: number;
  provisionalAtMs: number | undefined;
  finalAtMs: number | undefined;
  readonly reliable: boolean;
}

const T1 = DEFAULT_TIMERS.t1Ms;
const T2 = DEFAULT_TIMERS.t2Ms;
/** Timers fire on the virtual clock exactly; a microsecond of rounding is all the slack a rule needs. */
const SLACK_MS = 0.01;
const LADDER_LINES_PER_CALL = 120;

const branchOf = (via: string | undefined): string => /;\s*branch=([^;,\s]+)/i.exec(via ?? '')?.[1] ?? '';
const tagOf = (nameAddr: string | undefined): string => /;\s*tag=([^;,\s]+)/i.exec(nameAddr ?? '')?.[1] ?? '';
const cseqOf = (m: SipMessage): { readonly seq: number; readonly method: string } => {
  const match = /^\s*(\d+)\s+(\S+)/.exec(headerValue(m, 'CSeq') ?? '');
  return { seq: Number(match?.[1] ?? -1), method: match?.[2] ?? '' };
};
/** The swarm names its callers `cN`: the call number from a From header. */
const swarmCallOf = (from: string | undefined): number | undefined => {
  const match = /sips?:c(\d+)@/.exec(from ?? '');
  return match === null ? undefined : Number(match[1]);
};

/**
 * Watches every SIP message on the simulated network and checks the transaction rules that a trace shows:
 * retransmissions no sooner than §17's timers, none after the final response arrived (nor an INVITE after
 * a provisional) and none over a reliable transport, an ACK for every 2xx to an INVITE that arrived, and
 * CSeq increasing for each new request in each direction of a dialog. It also keeps each call's ladder and
 * a digest of everything sent, in order.
 */
export class SipChecker implements NetworkTap {
  readonly violations: Violation[] = [];
  private readonly clientTxs = new Map<string, ClientTx>();
  /** "host callId cseq" of 2xx responses to INVITE delivered, waiting for their ACK. */
  private readonly awaitingAck = new Map<string, { readonly atMs: number; readonly callId: string }>();
  private readonly lastCSeq = new Map<string, number>();
  private readonly ladders = new Map<string, string[]>();
  private readonly callIdsByCall = new Map<number, string>();
  private hash = 0x811c9dc5;
  messages = 0;
  rtpPackets = 0;
  unparsed = 0;

  send(packet: SimPacket): undefined {
    const first = packet.bytes[0] ?? 0;
    if (first >= 0x80 && first < 0xc0) {
      this.rtpPackets++;
      return undefined;
    }
    this.mix(packet);
    const parsed = parseMessage(packet.bytes);
    if (E.isLeft(parsed)) {
      this.unparsed++;
      return undefined;
    }
    this.messages++;
    const m = parsed.right;
    this.addToLadder(packet, m, 'send');
    if (m.kind === 'request') this.requestSent(packet, m);
    else if (m.status >= 200 && m.status < 300 && cseqOf(m).method === 'INVITE') {
      this.answered.add(headerValue(m, 'Call-ID') ?? '');
    }
    return undefined;
  }

  deliver(packet: SimPacket): void {
    // Only responses and ACKs matter on arrival: other requests (and RTP) are not parsed a second time.
    const b = packet.bytes;
    const isResponse = b[0] === 0x53 && b[1] === 0x49 && b[2] === 0x50 && b[3] === 0x2f;
    const isAck = b[0] === 0x41 && b[1] === 0x43 && b[2] === 0x4b && b[3] === 0x20;
    if (!isResponse && !isAck) return;
    const parsed = parseMessage(packet.bytes);
    if (E.isLeft(parsed)) return;
    const m = parsed.right;
    if (m.kind === 'request') {
      // The ACK of a 2xx (not of a 407 or another failure, which shares the Call-ID).
      const callId = headerValue(m, 'Call-ID') ?? '';
      if (m.method === 'ACK' && this.answered.has(callId) && !this.firstAckAt.has(callId)) {
        this.firstAckAt.set(callId, packet.atMs);
      }
      return;
    }
    const { method, seq } = cseqOf(m);
    const tx = this.clientTxs.get(`${packet.to.host} ${branchOf(headerValue(m, 'Via'))} ${method}`);
    if (tx !== undefined) {
      if (m.status >= 200) tx.finalAtMs ??= packet.atMs;
      else tx.provisionalAtMs ??= packet.atMs;
    }
    const callId = headerValue(m, 'Call-ID') ?? '';
    // A 2xx that comes after we hung up the dialog needs no ACK: the BYE ends the peer's side.
    if (method === 'INVITE' && m.status >= 200 && m.status < 300 && !this.byeSent.has(`${packet.to.host} ${callId}`)) {
      const key = `${packet.to.host} ${callId} ${seq}`;
      if (!this.awaitingAck.has(key) && !this.acked.has(key)) this.awaitingAck.set(key, { atMs: packet.atMs, callId });
    }
  }

  private readonly acked = new Set<string>();
  private readonly firstAckAt = new Map<string, number>();
  private readonly byeSent = new Set<string>();
  /** Call-IDs whose INVITE got a 2xx (sent). */
  private readonly answered = new Set<string>();

  /** When an ACK of this call first reached its callee (a delayed offer's answer travels in it). */
  ackDeliveredAt(callId: string): number | undefined {
    return this.firstAckAt.get(callId);
  }

  /** At the end of a run: every 2xx to an INVITE that arrived was acknowledged. */
  finish(atMs: number): void {
    for (const [key, pending] of this.awaitingAck) {
      const host = key.slice(0, key.indexOf(' '));
      this.violate('ack-for-every-2xx', `a 2xx to INVITE reached ${host} at ${pending.atMs} ms and was never `
        + 'acknowledged', atMs, pending.callId, host);
    }
    this.awaitingAck.clear();
  }

  /** The Call-ID of a swarm call, once its INVITE was seen. */
  callIdOf(call: number): string | undefined {
    return this.callIdsByCall.get(call);
  }

  ladderOf(callId: string): ReadonlyArray<string> {
    return this.ladders.get(callId) ?? [];
  }

  /** FNV-1a over every SIP message sent (time, addresses, bytes) and the RTP count. */
  digest(): string {
    let hash = this.hash;
    for (const c of String(this.rtpPackets)) hash = Math.imul(hash ^ c.charCodeAt(0), 0x01000193) >>> 0;
    return hash.toString(16).padStart(8, '0');
  }

  private requestSent(packet: SimPacket, m: SipMessage & { readonly kind: 'request' }): void {
    const host = packet.from.host;
    const callId = headerValue(m, 'Call-ID') ?? '';
    const { seq } = cseqOf(m);
    const call = m.method === 'INVITE' ? swarmCallOf(headerValue(m, 'From')) : undefined;
    if (call !== undefined && !this.callIdsByCall.has(call)) this.callIdsByCall.set(call, callId);
    if (m.method === 'BYE') this.byeSent.add(`${host} ${callId}`);
    if (m.method === 'ACK') {
      const key = `${host} ${callId} ${seq}`;
      if (this.awaitingAck.delete(key)) this.acked.add(key);
      return;
    }
    const key = `${host} ${branchOf(headerValue(m, 'Via'))} ${m.method}`;
    const tx = this.clientTxs.get(key);
    if (tx === undefined) {
      this.clientTxs.set(key, {
        method: m.method, firstAtMs: packet.atMs, lastAtMs: packet.atMs, retransmissions: 0,
        provisionalAtMs: undefined, finalAtMs: undefined, reliable: packet.stream,
      });
      if (m.method !== 'CANCEL') this.checkCSeq(packet, callId, tagOf(headerValue(m, 'From')), seq, m.method);
      return;
    }
    this.checkRetransmission(packet, tx, callId);
  }

  private checkRetransmission(packet: SimPacket, tx: ClientTx, callId: string): void {
    const host = packet.from.host;
    const at = packet.atMs;
    const fail = (detail: string): void => this.violate(
      'retransmission-timing', `${tx.method} ${detail}`, at, callId, host,
    );
    if (tx.finalAtMs !== undefined) fail(`sent again at ${at} ms after its final response arrived at ${tx.finalAtMs}`);
    else if (tx.method === 'INVITE' && tx.provisionalAtMs !== undefined) {
      fail(`retransmitted at ${at} ms after a provisional response arrived at ${tx.provisionalAtMs} ms`);
    } else if (tx.reliable || packet.stream) fail(`retransmitted over a reliable transport at ${at} ms`);
    else {
      const n = tx.retransmissions;
      const doubling = T1 * 2 ** n;
      // After a provisional, Timer E restarts at T2 when it next fires (§17.1.2.2): the gap before is the old one.
      const proceeding = tx.provisionalAtMs !== undefined && tx.provisionalAtMs <= tx.lastAtMs;
      const expected = tx.method === 'INVITE' ? doubling : proceeding ? T2 : Math.min(doubling, T2);
      const gap = at - tx.lastAtMs;
      if (gap + SLACK_MS < expected) fail(`retransmission ${n + 1} came ${gap} ms after the last send (≥ ${expected})`);
      if (at - tx.firstAtMs > 64 * T1 + SLACK_MS) fail(`retransmitted at ${at - tx.firstAtMs} ms, past 64·T1`);
    }
    tx.retransmissions++;
    tx.lastAtMs = at;
  }

  private checkCSeq(packet: SimPacket, callId: string, fromTag: string, seq: number, method: string): void {
    const key = `${callId} ${fromTag}`;
    const last = this.lastCSeq.get(key);
    if (last !== undefined && seq <= last) {
      this.violate('cseq-increases', `new ${method} with CSeq ${seq} after ${last} in the same direction`,
        packet.atMs, callId, packet.from.host);
    }
    if (last === undefined || seq > last) this.lastCSeq.set(key, seq);
  }

  private violate(invariant: string, detail: string, atMs: number, callId: string, agent: string): void {
    const call = [...this.callIdsByCall].find(([, id]) => id === callId)?.[0];
    this.violations.push({ invariant, detail, atMs, agent, callId, ...(call === undefined ? {} : { call }) });
  }

  private addToLadder(packet: SimPacket, m: SipMessage, event: string): void {
    const callId = headerValue(m, 'Call-ID');
    if (callId === undefined) return;
    let ladder = this.ladders.get(callId);
    if (ladder === undefined) this.ladders.set(callId, ladder = []);
    if (ladder.length >= LADDER_LINES_PER_CALL) return;
    const line = m.kind === 'request' ? `${m.method} (CSeq ${headerValue(m, 'CSeq')})`
      : `${m.status} ${m.reason} (CSeq ${headerValue(m, 'CSeq')})`;
    ladder.push(`${packet.atMs.toFixed(3).padStart(10)} ${event} ${packet.from.host} → ${packet.to.host}`
      + `${packet.stream ? ' tcp' : ''}  ${line}`);
  }

  private mix(packet: SimPacket): void {
    let hash = this.hash;
    const head = `${packet.atMs} ${packet.from.host}:${packet.from.port}>${packet.to.host}:${packet.to.port} `;
    for (let i = 0; i < head.length; i++) hash = Math.imul(hash ^ head.charCodeAt(i), 0x01000193) >>> 0;
    for (const byte of packet.bytes) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
    this.hash = hash;
  }
}
