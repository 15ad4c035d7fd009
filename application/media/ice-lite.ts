import {
  ATTRIBUTE, attributeOf, bindingSuccess, parseStun, STUN_BINDING_REQUEST, usernameOf, verifyStun,
} from '../../domain/media/stun.js';
import type { HmacSha1 } from '../../domain/media/srtp/srtp-keys.js';
import type { IceCredentials } from '../../domain/sdp/webrtc.js';
import { encodeUtf8 } from '../../domain/sip/text-codec.js';
import type { RtpAddress } from '../../ports/rtp-socket.js';

export interface IceCheckOutcome {
  /** The answer to send back to the check's source. */
  readonly reply?: Uint8Array;
  /** The check nominated its pair (USE-CANDIDATE): media flows to its source from now on. */
  readonly nominated?: RtpAddress;
}

export interface IceCounters {
  readonly checks: number;
  /** Checks refused: wrong username, integrity that did not verify, not a Binding request. */
  readonly refused: number;
}

/**
 * The ICE-lite side of connectivity checks (RFC 8445 §2.5, §7.3): we never send checks, we answer the
 * peer's — each verified with our password (short-term credentials, its USERNAME naming our ufrag first)
 * and answered with the address it came from. The pair the controlling peer nominates is where media goes;
 * a later nomination (the peer moved) replaces it.
 */
export class IceLiteAgent {
  private readonly mac: HmacSha1;
  private remoteUfrag: string | undefined;
  private nominatedPair: RtpAddress | undefined;
  private counts = { checks: 0, refused: 0 };

  constructor(readonly local: IceCredentials, hmacSha1: (key: Uint8Array) => HmacSha1) {
    this.mac = hmacSha1(encodeUtf8(local.pwd));
  }

  /** The peer's credentials, once its SDP is known (checks may arrive before). */
  setRemote(remote: IceCredentials): void {
    this.remoteUfrag = remote.ufrag;
  }

  get nominated(): RtpAddress | undefined {
    return this.nominatedPair;
  }

  /** Both sides lite (RFC 8445 §6.1.1): no checks will come; the peer's candidate is the pair. */
  assume(pair: RtpAddress): void {
    this.nominatedPair ??= { host: pair.host, port: pair.port };
  }

  counters(): IceCounters {
    return { ...this.counts };
  }

  /** A STUN datagram from `source`. */
  check(bytes: Uint8Array, source: RtpAddress): IceCheckOutcome {
    this.counts.checks++;
    const message = parseStun(bytes);
    if (message === undefined || message.type !== STUN_BINDING_REQUEST) return this.refuse();
    const [ours, theirs] = (usernameOf(message) ?? '').split(':');
    if (ours !== this.local.ufrag || (this.remoteUfrag !== undefined && theirs !== this.remoteUfrag)) {
      return this.refuse();
    }
    if (!verifyStun(message, this.mac)) return this.refuse();
    const reply = bindingSuccess(message, source, this.mac);
    if (reply === undefined) return this.refuse();
    if (attributeOf(message, ATTRIBUTE.UseCandidate) === undefined) return { reply };
    const current = this.nominatedPair;
    if (current !== undefined && current.host === source.host && current.port === source.port) return { reply };
    const nominated = { host: source.host, port: source.port };
    this.nominatedPair = nominated;
    return { reply, nominated };
  }

  private refuse(): IceCheckOutcome {
    this.counts.refused++;
    return {};
  }
}
