/**
 * The control API's OpenAPI 3.1 description, served at /openapi.json. Bodies mirror control-codecs.ts (a
 * test checks that every route of the server is described here and every path here is routed).
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const body = (name: string, required = true) => ({
  required, content: { 'application/json': { schema: ref(name) } },
});
const json = (description: string, schema: unknown = { type: 'object' }) => ({
  description, content: { 'application/json': { schema } },
});
const errors = {
  400: json('a body or parameter is invalid: `field` names it', ref('Problem')),
  401: json('no valid bearer token', ref('Problem')),
  404: json('no such call, bridge or registration', ref('Problem')),
  409: json('the call is not in a state that allows this (SessionError InvalidState)', ref('Problem')),
};
const done = { 204: { description: 'done' }, ...errors };
const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const op = (summary: string, responses: Record<string, unknown>, requestBody?: unknown, parameters = [id]) => ({
  summary, parameters, responses, ...(requestBody === undefined ? {} : { requestBody }),
});

const str = { type: 'string' };
const uri = { type: 'string', minLength: 1, maxLength: 1024, description: 'a SIP URI or name-addr' };

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'session-core control API', version: '1',
    description: 'Drive calls, bridges and registrations of a session-core coordinator. Every bus event is '
      + 'streamed over the WebSocket at /events (?session=ID&type=A,B&user=NAME; browsers pass the token as '
      + '?access_token=). Each message holds one or more events, one JSON envelope per line: '
      + '{seq, at, dropped, event}; dropped counts the events this client lost.',
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Problem: { type: 'object', properties: { error: str, field: str }, required: ['error'] },
      Call: {
        type: 'object', required: ['id', 'from', 'to', 'direction', 'state', 'startedAtMs'],
        properties: {
          id: str, from: str, to: str, direction: { enum: ['incoming', 'outgoing'] }, state: str,
          startedAtMs: { type: 'number' }, callId: str, endReason: str, status: { type: 'integer' },
        },
      },
      Originate: {
        type: 'object', required: ['from', 'to'],
        properties: {
          from: uri, to: uri, sdp: str, delayedOffer: { type: 'boolean' }, followRedirects: { type: 'boolean' },
          headers: { type: 'array', items: { type: 'object', properties: { name: str, value: str } } },
        },
      },
      Answer: { type: 'object', properties: { sdp: str } },
      Reject: { type: 'object', properties: { status: { type: 'integer', minimum: 300, maximum: 699 }, reason: str } },
      Forward: { type: 'object', required: ['target'], properties: { target: uri } },
      Hangup: {
        type: 'object', properties: {
          reason: { type: 'object', properties: { protocol: { enum: ['SIP', 'Q.850'] }, cause: { type: 'integer' } } },
        },
      },
      Dtmf: {
        type: 'object', required: ['digits'],
        properties: {
          digits: { type: 'string', pattern: '^[0-9A-Da-d*#]{1,32}$' }, method: { enum: ['auto', 'rfc4733', 'info'] },
        },
      },
      Transfer: {
        type: 'object', required: ['target'],
        properties: { target: uri, replaces: { type: 'string', description: 'another call: attended transfer' } },
      },
      Play: {
        oneOf: [
          {
            type: 'object', required: ['tone'], properties: {
              tone: { type: 'object', properties: { frequenciesHz: { type: 'array', items: { type: 'integer' } } } },
              amplitude: { type: 'integer' },
            },
          },
          { type: 'object', required: ['file'], properties: { file: str, loop: { type: 'boolean' } } },
          { type: 'object', required: ['silence'], properties: { silence: { const: true } } },
        ],
      },
      Record: {
        type: 'object', required: ['file'], properties: { file: str, direction: { enum: ['in', 'out', 'both'] } },
      },
      Bridge: {
        type: 'object', properties: { sessions: { type: 'array', items: str }, autoDestroy: { type: 'boolean' } },
      },
      BridgeMember: { type: 'object', required: ['sessionId'], properties: { sessionId: str } },
      Register: {
        type: 'object', required: ['registrar'], properties: {
          registrar: uri, aor: uri, expiresSec: { type: 'integer', minimum: 60, maximum: 86400 },
          credentials: { type: 'object', properties: { username: str, password: str } },
        },
      },
    },
  },
  security: [{ bearer: [] }],
  paths: {
    '/calls': {
      get: op('live calls', { 200: json('the calls', { type: 'array', items: ref('Call') }), 401: errors[401] },
        undefined, []),
      post: op('place a call', { 201: json('the new call', ref('Call')), ...errors }, body('Originate'), []),
    },
    '/calls/{id}': {
      get: op('a call, with its media figures once it has audio', { 200: json('the call', ref('Call')), ...errors }),
      delete: op('hang up (CANCEL, BYE, or 603 for a ringing incoming call)', done),
    },
    '/calls/{id}/trace': {
      get: op('the SIP messages of the call, for its ladder', { 200: json('messages'), ...errors }),
    },
    '/calls/{id}/answer': { post: op('answer a ringing incoming call', done, body('Answer', false)) },
    '/calls/{id}/reject': { post: op('reject a ringing incoming call', done, body('Reject', false)) },
    '/calls/{id}/forward': { post: op('redirect a ringing incoming call (302)', done, body('Forward')) },
    '/calls/{id}/hangup': { post: op('hang up, with a Reason header (RFC 3326)', done, body('Hangup', false)) },
    '/calls/{id}/hold': { post: op('hold (re-INVITE, sendonly)', done) },
    '/calls/{id}/resume': { post: op('resume', done) },
    '/calls/{id}/dtmf': { post: op('send DTMF digits', done, body('Dtmf')) },
    '/calls/{id}/transfer': {
      post: op('blind or attended transfer (REFER); answers the final NOTIFY status', {
        200: json('transferred', { type: 'object', properties: { status: { type: 'integer' } } }), ...errors,
      }, body('Transfer')),
    },
    '/calls/{id}/play': { post: op('play a tone, a WAV file of the media directory, or silence', done, body('Play')) },
    '/calls/{id}/recording': {
      post: op('record the call to a WAV file in the media directory', { 201: json('recording'), ...errors },
        body('Record')),
      delete: op('stop recording', { 200: json('frames written and dropped'), ...errors }),
    },
    '/bridges': {
      get: op('bridges', { 200: json('bridges', { type: 'array' }) }, undefined, []),
      post: op('create a bridge, with calls', { 201: json('the bridge'), ...errors }, body('Bridge', false), []),
    },
    '/bridges/{id}': {
      get: op('a bridge', { 200: json('the bridge'), ...errors }),
      delete: op('destroy a bridge (its calls stay up)', done),
    },
    '/bridges/{id}/calls': {
      post: op('add a call to a bridge', { 200: json('the bridge'), ...errors }, body('BridgeMember')),
    },
    '/bridges/{id}/calls/{session}': {
      delete: op('take a call out of a bridge', done, undefined, [
        id, { name: 'session', in: 'path', required: true, schema: str },
      ]),
    },
    '/registrations': {
      get: op('our registrations at registrars', { 200: json('registrations', { type: 'array' }) }, undefined, []),
      post: op('register at a registrar', { 201: json('the registration'), ...errors }, body('Register'), []),
    },
    '/registrations/{id}': { delete: op('unregister (Expires: 0)', done) },
    '/bindings': { get: op('bindings at our registrar', { 200: json('bindings', { type: 'array' }) }, undefined, []) },
    '/stats': { get: op('call counts', { 200: json('stats') }, undefined, []) },
    '/health': { get: op('liveness, with call counts', { 200: json('health') }, undefined, []) },
    '/ready': {
      get: op('readiness: 503 while stopped', { 200: json('ready'), 503: json('not ready') }, undefined, []),
    },
    '/metrics': { get: op('Prometheus metrics', { 200: { description: 'text exposition format' } }, undefined, []) },
    '/events': {
      get: op('WebSocket: the event stream (upgrade)', { 101: { description: 'switching protocols' } }, undefined, []),
    },
  },
} as const;
