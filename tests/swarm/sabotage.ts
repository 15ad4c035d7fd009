import type { SimulatedNetwork, NetworkTap } from '../../adapters/sim/simulated-network.js';
import { describeRtp } from '../../adapters/sim/sim-trace.js';
import type { VirtualClock } from '../../adapters/sim/virtual-clock.js';

/**
 * Faults planted on purpose, each the kind of bug one invariant guards against, so a test can show that
 * the swarm notices it and names the seed. Never used by a normal run.
 */
export const SABOTAGES = {
  'leak-timer': 'a timer nobody cancels (leaks)',
  'leak-rtp-port': 'an RTP port nobody closes (leaks)',
  'drop-ack': 'an agent that never sends the ACK for a 2xx (ack-for-every-2xx)',
  'lower-cseq': 'BYEs sent with CSeq 1 (cseq-increases)',
  'resend-after-final': 'an agent that sends its last INVITE again instead of a BYE (retransmission-timing)',
  'swallow-bye': 'BYEs that vanish while no call has a time limit (calls-end)',
  'rewrite-reject': 'a 486 that turns into 480 on the wire (sides-agree)',
  'untyped-error': 'hold, DTMF and MESSAGE failing with a TypeError (typed-errors)',
  'unhandled-rejection': 'a promise rejected with nobody listening (no-unhandled)',
  'drop-rtp': "one agent's RTP never leaves it (audio-flows)",
  'corrupt-dtmf': 'telephone-events whose digit changes on the wire (dtmf-once-in-order)',
} as const;

export type Sabotage = keyof typeof SABOTAGES;

export const isSabotage = (name: string): name is Sabotage => Object.hasOwn(SABOTAGES, name);

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');
const isRtp = (bytes: Uint8Array): boolean => (bytes[0] ?? 0) >= 0x80 && (bytes[0] ?? 0) < 0xc0;

/** The tap that carries the sabotage on the wire, if it lives there. */
export const sabotageTap = (sabotage: Sabotage | undefined, victimHost: string): NetworkTap | undefined => {
  const fromVictim = (host: string): boolean => host === victimHost;
  switch (sabotage) {
    case 'drop-ack':
      return { send: (p) => (fromVictim(p.from.host) && text(p.bytes.subarray(0, 4)) === 'ACK ' ? 'drop' : undefined) };
    case 'lower-cseq':
      return {
        send: (p) => (text(p.bytes.subarray(0, 4)) === 'BYE '
          ? Buffer.from(text(p.bytes).replace(/\r\nCSeq:\s*\d+ BYE/i, '\r\nCSeq: 1 BYE'), 'latin1') : undefined),
      };
    case 'resend-after-final': {
      const lastInvite = new Map<string, Uint8Array>();
      return {
        send: (p) => {
          const start = text(p.bytes.subarray(0, 7));
          if (start === 'INVITE ') lastInvite.set(p.from.host, p.bytes.slice());
          return start.startsWith('BYE ') ? lastInvite.get(p.from.host) : undefined;
        },
      };
    }
    case 'swallow-bye':
      return { send: (p) => (text(p.bytes.subarray(0, 4)) === 'BYE ' ? 'drop' : undefined) };
    case 'rewrite-reject':
      return {
        send: (p) => {
          if (text(p.bytes.subarray(0, 12)) !== 'SIP/2.0 486 ') return undefined;
          const rest = text(p.bytes).slice(text(p.bytes).indexOf('\r\n'));
          return Buffer.from(`SIP/2.0 480 Temporarily Unavailable${rest}`, 'latin1');
        },
      };
    case 'drop-rtp':
      return { send: (p) => (fromVictim(p.from.host) && isRtp(p.bytes) ? 'drop' : undefined) };
    case 'corrupt-dtmf':
      return {
        send: (p) => {
          const pt = (p.bytes[1] ?? 0) & 0x7f;
          if (!isRtp(p.bytes) || pt === 0 || pt === 8 || p.bytes.length !== 16) return undefined;
          const copy = p.bytes.slice();
          copy[12] = ((copy[12] ?? 0) + 1) % 12;
          return copy;
        },
      };
    default:
      return undefined;
  }
};

/** Sabotages that act on the machines rather than the wire, planted once the agents run. */
export const plantSabotage = (sabotage: Sabotage | undefined, clock: VirtualClock, network: SimulatedNetwork,
  victimHost: string): void => {
  if (sabotage === 'leak-timer') clock.schedule(10 * 24 * 3600 * 1000, () => undefined);
  if (sabotage === 'leak-rtp-port') network.bindDatagram(victimHost, 0, () => undefined, describeRtp);
  if (sabotage === 'unhandled-rejection') clock.schedule(1000, () => void Promise.reject(new Error('sabotaged')));
};
