import path from 'node:path';
import type { MediaStatistics } from '../../application/media/media-session.js';
import type { CallInfo } from '../../application/session/session-record.js';
import type { MediaInfo, SessionCoordinator } from '../../application/session/session-coordinator.js';
import type { Binding } from '../../domain/registrar/registrar.js';
import type { SessionError } from '../../domain/session/session-error.js';
import type { CallTraces } from './call-traces.js';
import {
  AnswerBody, BridgeBody, BridgeMemberBody, decodeBody, DtmfBody, ForwardBody, HangupBody, OriginateBody, PlayBody,
  RecordBody, RegisterBody, RejectBody, TransferBody,
} from './control-codecs.js';
import { HttpProblem, type HttpRouter, type Reply } from './http-router.js';

export interface ControlOptions {
  /** Where `play` and `record` read and write; without it those routes answer 403. */
  readonly mediaDirectory?: string;
}

const HTTP_STATUS: Readonly<Record<SessionError['kind'], number>> = {
  InvalidArgument: 400, InvalidUri: 400, SessionNotFound: 404, InvalidState: 409, ResourceExhausted: 503,
  Timeout: 504, Rejected: 502, Cancelled: 409, TransportError: 502, MediaError: 422, InvalidConfig: 500,
};

/** A SessionError (what the coordinator rejects with) as the HTTP problem it is; anything else is rethrown. */
export const problemOf = (error: unknown): HttpProblem => {
  const kind = (error as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !Object.hasOwn(HTTP_STATUS, kind)) throw error;
  const e = error as SessionError;
  const field = e.kind === 'InvalidArgument' ? e.argument : e.kind === 'InvalidUri' ? 'uri' : undefined;
  return new HttpProblem(HTTP_STATUS[e.kind], e.message, field);
};

const NO_CONTENT: Reply = { status: 204 };

/**
 * The coordinator's times are its clock's (monotonic, performance.now() on real sockets); clients get wall-clock
 * epochs and remaining seconds.
 */
const withEpoch = (info: CallInfo | undefined): unknown =>
  info === undefined ? undefined
    : { ...info, startedAt: Math.round(Date.now() - (performance.now() - info.startedAtMs)) };
const withRemaining = (binding: Binding): unknown => ({
  ...binding, expiresInSec: Math.max(0, Math.round((binding.expiresAtMs - performance.now()) / 1000)),
});

/**
 * The REST half of the control API (see openapi.ts): calls, bridges and registrations, each route one
 * coordinator method, bodies checked by the io-ts codecs.
 */
export const addControlRoutes = (
  router: HttpRouter, coordinator: SessionCoordinator, traces: CallTraces | undefined, options: ControlOptions,
): void => {
  // A SessionError a coordinator method throws becomes its HTTP problem in the server (problemOf).
  const c = coordinator;
  const call = (id: string) => {
    const info = c.getSession(id);
    if (info === undefined) throw new HttpProblem(404, `no session ${id}`);
    return info;
  };
  const mediaFile = (file: string): string => {
    const root = options.mediaDirectory;
    if (root === undefined) throw new HttpProblem(403, 'playing and recording files needs a media directory');
    const resolved = path.resolve(root, file);
    if (!resolved.startsWith(path.resolve(root) + path.sep)) {
      throw new HttpProblem(400, 'file: outside the media directory', 'file');
    }
    return resolved;
  };

  router
    .add('GET', '/calls', () => ({
      status: 200, json: c.listActiveSessions().map((id) => withEpoch(c.getSession(id))),
    }))
    .add('POST', '/calls', async ({ body }) => {
      const b = decodeBody(OriginateBody, body);
      const info = await c.createOutgoingCall(b.from, b.to, b.sdp, b.headers ?? [], {
        ...(b.delayedOffer === undefined ? {} : { delayedOffer: b.delayedOffer }),
        ...(b.followRedirects === undefined ? {} : { followRedirects: b.followRedirects }),
      });
      return { status: 201, json: withEpoch(info) };
    })
    .add('GET', '/calls/:id', ({ params }) => {
      const info = call(params['id']!);
      let media;
      try {
        media = mediaSummary(c.getMediaInfo(info.id), c.getMediaStatistics(info.id));
      } catch {
        media = undefined; // no media (yet, or any more)
      }
      return { status: 200, json: { ...(withEpoch(info) as object), ...(media === undefined ? {} : { media }) } };
    })
    .add('GET', '/calls/:id/trace', ({ params }) => {
      const info = call(params['id']!);
      const lines = info.callId === undefined || traces === undefined ? [] : traces.lines(info.callId);
      return { status: 200, json: { callId: info.callId ?? null, messages: lines } };
    })
    .add('POST', '/calls/:id/answer', async ({ params, body }) => {
      const b = decodeBody(AnswerBody, body);
      await c.acceptIncomingCall(params['id']!, b.sdp);
      return NO_CONTENT;
    })
    .add('POST', '/calls/:id/reject', async ({ params, body }) => {
      const b = decodeBody(RejectBody, body);
      await c.rejectIncomingCall(params['id']!, b.status ?? 486, b.reason);
      return NO_CONTENT;
    })
    .add('POST', '/calls/:id/forward', async ({ params, body }) => {
      const b = decodeBody(ForwardBody, body);
      await c.forwardIncomingCall(params['id']!, b.target);
      return NO_CONTENT;
    })
    .add('POST', '/calls/:id/hangup', async ({ params, body }) => {
      const b = decodeBody(HangupBody, body);
      await c.terminateSession(params['id']!, b.reason === undefined ? {} : { reason: b.reason });
      return NO_CONTENT;
    })
    .add('DELETE', '/calls/:id', async ({ params }) => {
      await c.terminateSession(params['id']!);
      return NO_CONTENT;
    })
    .add('POST', '/calls/:id/hold', async ({ params }) => {
      await c.holdSession(params['id']!);
      return NO_CONTENT;
    })
    .add('POST', '/calls/:id/resume', async ({ params }) => {
      await c.resumeSession(params['id']!);
      return NO_CONTENT;
    })
    .add('POST', '/calls/:id/dtmf', async ({ params, body }) => {
      const b = decodeBody(DtmfBody, body);
      await c.sendDtmf(params['id']!, b.digits, b.method === undefined ? {} : { method: b.method });
      return NO_CONTENT;
    })
    .add('POST', '/calls/:id/transfer', async ({ params, body }) => {
      const b = decodeBody(TransferBody, body);
      const status = await c.transferSession(params['id']!, b.target, b.replaces);
      return { status: 200, json: { status } };
    })
    .add('POST', '/calls/:id/play', async ({ params, body }) => {
      const b = decodeBody(PlayBody, body);
      const id = call(params['id']!).id;
      if ('file' in b) await c.playFile(id, mediaFile(b.file), { loop: b.loop ?? false });
      else if ('tone' in b) c.startAudioTransmission(id, {
        kind: 'tone', frequenciesHz: b.tone.frequenciesHz,
        ...(b.amplitude === undefined ? {} : { amplitude: b.amplitude }),
      });
      else c.startAudioTransmission(id, { kind: 'silence' });
      return NO_CONTENT;
    })
    .add('POST', '/calls/:id/recording', async ({ params, body }) => {
      const b = decodeBody(RecordBody, body);
      call(params['id']!);
      await c.startRecording(params['id']!, mediaFile(b.file), { direction: b.direction ?? 'both' });
      return { status: 201, json: { file: b.file } };
    })
    .add('DELETE', '/calls/:id/recording', async ({ params }) => {
      const result = await c.stopRecording(params['id']!);
      const root = options.mediaDirectory ?? '';
      return { status: 200, json: { ...result, path: path.relative(root, result.path) } };
    })
    .add('GET', '/bridges', () => ({ status: 200, json: c.listBridges() }))
    .add('POST', '/bridges', async ({ body }) => {
      const b = decodeBody(BridgeBody, body);
      const id = c.createBridge(b.autoDestroy ?? false);
      try {
        for (const session of b.sessions ?? []) c.addSessionToBridge(id, session);
      } catch (error) {
        c.destroyBridge(id);
        throw error;
      }
      return { status: 201, json: bridge(c, id) };
    })
    .add('GET', '/bridges/:id', ({ params }) => ({ status: 200, json: bridge(c, params['id']!) }))
    .add('POST', '/bridges/:id/calls', async ({ params, body }) => {
      const b = decodeBody(BridgeMemberBody, body);
      c.addSessionToBridge(params['id']!, b.sessionId);
      return { status: 200, json: bridge(c, params['id']!) };
    })
    .add('DELETE', '/bridges/:id/calls/:session', async ({ params }) => {
      c.removeSessionFromBridge(params['id']!, params['session']!);
      return NO_CONTENT;
    })
    .add('DELETE', '/bridges/:id', async ({ params }) => {
      c.destroyBridge(params['id']!);
      return NO_CONTENT;
    })
    .add('GET', '/registrations', () => ({ status: 200, json: c.listRegistrations() }))
    .add('POST', '/registrations', async ({ body }) => {
      const b = decodeBody(RegisterBody, body);
      const info = await c.register(b.registrar, {
        ...(b.aor === undefined ? {} : { aor: b.aor }),
        ...(b.expiresSec === undefined ? {} : { expiresSec: b.expiresSec }),
        ...(b.credentials === undefined ? {} : { credentials: b.credentials }),
      });
      return { status: 201, json: info };
    })
    .add('DELETE', '/registrations/:id', async ({ params }) => {
      await c.unregister(params['id']!);
      return NO_CONTENT;
    })
    .add('GET', '/bindings', async () => {
      // A coordinator that is no registrar has no bindings: an empty list, not an error, for the dashboard.
      try {
        return { status: 200, json: (await c.listBindings()).map(withRemaining) };
      } catch (error) {
        if ((error as { field?: unknown }).field === 'registrar') return { status: 200, json: [] };
        throw error;
      }
    })
    .add('GET', '/stats', () => ({ status: 200, json: c.getStats() }));
};

const bridge = (c: SessionCoordinator, id: string): unknown => {
  const found = c.listBridges().find((b) => b.id === id);
  if (found === undefined) throw new HttpProblem(404, `no bridge ${id}`);
  return found;
};

/** What the dashboard's table shows of a call's audio. */
export const mediaSummary = (info: MediaInfo, m: MediaStatistics): Record<string, unknown> => ({
  codec: info.codec ?? null, srtp: info.srtp ?? null, mos: m.mos ?? null, lossPercent: m.lossPercent,
  jitterMs: m.jitterMs, rttMs: m.rttMs ?? null,
  packetsSent: m.packetsSent, packetsReceived: m.packetsReceived,
});
