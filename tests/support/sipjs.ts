/**
 * SIP.js — the SIP library browsers run — in Node over the `ws` package: a WebSocket SIP client that is not
 * a browser. Its media is a fixed SDP (a signaling-only session description handler, which SIP.js lets
 * every application plug in), so calls exercise signaling over WebSocket alone.
 */
import type { ExecutionContext } from 'ava';
import WebSocket from 'ws';
import {
  Inviter, Registerer, RegistererState, SessionState, UserAgent, type Invitation, type Message,
  type Session, type SessionDescriptionHandler,
} from 'sip.js';
import { waitFor } from './wait.js';

/** Authorities SIP.js's WebSockets trust for wss:// (a browser trusts its store; tests trust their own CA). */
const trusted: string[] = [];
export const trustForSipJs = (ca: string): void => void trusted.push(ca);

// SIP.js opens `new WebSocket(url, 'sip')` as a browser would; `ws` has the same interface.
(globalThis as { WebSocket?: unknown }).WebSocket ??= class extends WebSocket {
  constructor(url: string, protocols?: string | string[]) {
    super(url, protocols, trusted.length === 0 ? {} : { ca: trusted });
  }
};

const SDP = (port: number): string => [
  'v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0',
  `m=audio ${port} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', '',
].join('\r\n');

/** A session description handler with a fixed offer/answer: what SIP.js needs to signal without WebRTC. */
class FixedSdp implements SessionDescriptionHandler {
  remote: string | undefined;
  constructor(private readonly port: number) {}
  close(): void {}
  getDescription(): Promise<{ body: string; contentType: string }> {
    return Promise.resolve({ body: SDP(this.port), contentType: 'application/sdp' });
  }
  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp';
  }
  setDescription(sdp: string): Promise<void> {
    this.remote = sdp;
    return Promise.resolve();
  }
  sendDtmf(): boolean {
    return false;
  }
}

export interface SipJsClient {
  readonly ua: UserAgent;
  readonly messages: string[];
  readonly invitations: Invitation[];
  readonly registerer: Registerer;
  register(): Promise<void>;
  call(target: string): Promise<Session>;
  /** Drops the WebSocket as a closed tab would. */
  drop(): Promise<void>;
}

/** A SIP.js user agent for `user@domain` connected to `server` (ws:// or wss://), answering calls it gets. */
export const sipJsClient = async (
  t: ExecutionContext, server: string, user: string, domain: string,
  options: {
    answer?: boolean; media?: () => SessionDescriptionHandler; password?: string;
  } = {},
): Promise<SipJsClient> => {
  const messages: string[] = [];
  const invitations: Invitation[] = [];
  const uri = UserAgent.makeURI(`sip:${user}@${domain}`);
  if (uri === undefined) throw new Error(`not a SIP address: ${user}@${domain}`);
  const ua = new UserAgent({
    uri,
    transportOptions: { server, traceSip: false },
    ...(options.password === undefined ? {} : {
      authorizationUsername: user, authorizationPassword: options.password,
    }),
    logBuiltinEnabled: false, logLevel: 'error',
    sessionDescriptionHandlerFactory: options.media ?? (() => new FixedSdp(9)),
    delegate: {
      onMessage: (message: Message) => {
        messages.push(message.request.body);
        void message.accept();
      },
      onInvite: (invitation: Invitation) => {
        invitations.push(invitation);
        if (options.answer !== false) void invitation.accept();
      },
    },
  });
  await ua.start();
  const registerer = new Registerer(ua, { expires: 300 });
  t.teardown(async () => {
    await ua.stop().catch(() => undefined);
  });
  return {
    ua, messages, invitations, registerer,
    register: async () => {
      await registerer.register();
      await waitFor(() => registerer.state === RegistererState.Registered, 20_000, `${user} registered`);
    },
    call: async (target) => {
      const uri = UserAgent.makeURI(target);
      if (uri === undefined) throw new Error(`not a URI: ${target}`);
      const inviter = new Inviter(ua, uri);
      await inviter.invite();
      await waitFor(() => inviter.state === SessionState.Established || inviter.state === SessionState.Terminated,
        20_000, `${user}'s call to ${target}`);
      return inviter;
    },
    drop: () => ua.transport.disconnect(),
  };
};
