import * as E from 'fp-ts/lib/Either.js';
import type { RelayCall } from '../../domain/media-relay/ng.js';
import type { Clock } from '../../ports/clock.js';
import type { MediaRelay, MediaRelayError } from '../../ports/media-relay.js';

interface RelayedCall {
  /** The relay port given to each side, by tag. */
  readonly ports: Map<string, number>;
}

/**
 * A MediaRelay for simulations: it answers like rtpengine's ng interface — each side's SDP comes back with
 * the relay's address and a port of its own in c= and m= (RTCP the next port) — and keeps the calls it holds,
 * so a test sees every port freed. `stop()` makes it silent (each command fails Unreachable after the
 * client's timeout on the virtual clock); SDP without an audio stream is Refused, as rtpengine refuses junk.
 */
export class SimulatedMediaRelay implements MediaRelay {
  private readonly calls = new Map<string, RelayedCall>();
  private nextPort: number;
  private running = true;
  private inFlight = 0;
  /** Commands received, by name (ping, offer, answer, delete). */
  readonly commands: Record<string, number> = {};

  constructor(
    private readonly clock: Clock,
    private readonly address: string,
    firstPort = 40_000,
    /** How long a command to a stopped relay waits before it is Unreachable (the ng client's attempts). */
    private readonly timeoutMs = 3_000,
  ) {
    this.nextPort = firstPort;
  }

  /** Calls holding relay ports now. */
  get held(): number {
    return this.calls.size;
  }

  get pending(): number {
    return this.inFlight;
  }

  stop(): void {
    this.running = false;
  }

  start(): void {
    this.running = true;
  }

  offer(call: RelayCall, sdp: string): Promise<E.Either<MediaRelayError, string>> {
    return this.reply('offer', () => this.rewrite(call, call.fromTag, sdp));
  }

  answer(call: RelayCall, sdp: string): Promise<E.Either<MediaRelayError, string>> {
    return this.reply('answer', () => {
      if (!this.calls.has(call.callId)) return E.left({ kind: 'Refused', detail: 'Unknown call-id' });
      return this.rewrite(call, call.toTag ?? 'to', sdp);
    });
  }

  delete(call: RelayCall): Promise<E.Either<MediaRelayError, void>> {
    return this.reply('delete', () => {
      this.calls.delete(call.callId);
      return E.right(undefined);
    });
  }

  ping(): Promise<E.Either<MediaRelayError, void>> {
    return this.reply('ping', () => E.right(undefined));
  }

  async close(): Promise<void> {
    this.calls.clear();
  }

  private reply<T>(name: string, act: () => E.Either<MediaRelayError, T>): Promise<E.Either<MediaRelayError, T>> {
    this.commands[name] = (this.commands[name] ?? 0) + 1;
    this.inFlight++;
    const running = this.running;
    return new Promise((resolve) => {
      // A round trip on the virtual clock; a stopped relay is heard from only by the client's timeout.
      this.clock.schedule(running ? 1 : this.timeoutMs, () => {
        this.inFlight--;
        resolve(running ? act() : E.left({ kind: 'Unreachable', detail: 'no reply from the relay' }));
      });
    });
  }

  /** The SDP pointed at the relay: c= lines to its address, the audio m= port to the one kept for `tag`. */
  private rewrite(call: RelayCall, tag: string, sdp: string): E.Either<MediaRelayError, string> {
    if (!/^m=audio \d+ /m.test(sdp)) return E.left({ kind: 'Refused', detail: 'no audio stream in the SDP' });
    let relayed = this.calls.get(call.callId);
    if (relayed === undefined) this.calls.set(call.callId, (relayed = { ports: new Map() }));
    let port = relayed.ports.get(tag);
    if (port === undefined) {
      port = this.nextPort;
      this.nextPort += 2;
      relayed.ports.set(tag, port);
    }
    return E.right(sdp
      .replace(/^c=IN IP[46] \S+/gm, `c=IN IP4 ${this.address}`)
      .replace(/^m=audio \d+ /m, `m=audio ${port} `)
      .replace(/^a=rtcp:\d+.*$/m, `a=rtcp:${port + 1}`));
  }
}
