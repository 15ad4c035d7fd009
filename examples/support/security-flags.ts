/**
 * The transport and security flags the examples share: --transport
 * udp|tcp|tls|both|all|ws|wss, --tls-cert/--tls-key/--tls-ca/--tls-insecure and
 * --srtp off|optional|required. Without a certificate, SIP over TLS (or WSS) uses one
 * made for the run (self-signed: peers that verify refuse it — say so). WS and WSS
 * bring WebRTC media and serve the softphone page on their port.
 */
import type { SessionManagerBuilder } from '../../adapters/composition/index.js';
import { selfSigned } from './certificates.js';
import { usageError } from './command-line.js';
import { softphonePage } from './softphone-page.js';

export const SECURITY_OPTIONS = {
  transport: { type: 'string', default: 'udp' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  'tls-insecure': { type: 'boolean', default: false },
  srtp: { type: 'string', default: 'off' },
} as const;

export const SECURITY_HELP = `  --transport T        udp | tcp | tls | both (udp+tcp) | all (udp+tcp+tls) |
                       ws | wss (SIP over WebSocket for browsers, RFC 7118, with
                       WebRTC media; the port also serves a softphone page)
                       (default udp; a sips: or ;transport=tls target adds tls)
  --tls-cert FILE      our certificate chain (PEM) for SIP over TLS; without it
                       one is made for the run (self-signed, so peers that
                       verify certificates refuse it)
  --tls-key FILE       its private key (PEM)
  --tls-ca FILE        authorities to trust (PEM) instead of the system's
  --tls-insecure       do not verify peers' certificates (labs and tests only)
  --srtp MODE          off | optional | required: SRTP media keyed by SDES
                       (RFC 4568); optional offers keys in RTP/AVP, required
                       offers RTP/SAVP and refuses plain audio (default off)`;

export interface SecurityValues {
  readonly transport?: string | undefined;
  readonly 'tls-cert'?: string | undefined;
  readonly 'tls-key'?: string | undefined;
  readonly 'tls-ca'?: string | undefined;
  readonly 'tls-insecure'?: boolean | undefined;
  readonly srtp?: string | undefined;
}

export type ExampleTransport = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

const TRANSPORTS: Readonly<Record<string, ReadonlyArray<ExampleTransport>>> = {
  udp: ['udp'], tcp: ['tcp'], tls: ['tls'], both: ['udp', 'tcp'], all: ['udp', 'tcp', 'tls'], ws: ['ws'], wss: ['wss'],
};

/** Whether a target URI needs TLS (sips, or the deprecated transport=tls). */
export const needsTls = (uri: string): boolean => /^\s*(<)?sips:/i.test(uri) || /;transport=tls/i.test(uri);

/**
 * Applies the flags to `builder`; `targets` are URIs the tool will call (a sips one adds TLS). Returns the
 * transports in use and a note to print when the certificate was made for the run.
 */
export const applySecurity = (
  name: string, usage: string, builder: SessionManagerBuilder, values: SecurityValues,
  targets: ReadonlyArray<string> = [],
): { readonly transports: ReadonlyArray<ExampleTransport>; readonly note: string | undefined } => {
  const chosen = TRANSPORTS[values.transport ?? 'udp'] ?? usageError(
    name, usage, `--transport must be udp, tcp, tls, both, all, ws or wss, not ${values.transport}`,
  );
  const transports = targets.some(needsTls) && !chosen.includes('tls') ? [...chosen, 'tls' as const] : chosen;
  const srtp = values.srtp ?? 'off';
  if (srtp !== 'off' && srtp !== 'optional' && srtp !== 'required') usageError(
    name, usage, `--srtp must be off, optional or required, not ${srtp}`,
  );
  builder.withTransports(transports).withMediaEncryption(srtp as 'off' | 'optional' | 'required');
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if ((cert === undefined) !== (key === undefined)) usageError(name, usage, '--tls-cert and --tls-key go together');
  if (transports.includes('ws') || transports.includes('wss')) {
    builder.withWebRtc().withWebSocket({ httpHandler: softphonePage() });
  }
  if (!transports.includes('tls') && !transports.includes('wss')) return { transports, note: undefined };
  const ephemeral = cert === undefined
    ? selfSigned({ commonName: name, names: ['localhost', '127.0.0.1'] }) : undefined;
  builder.withTls({
    cert: cert ?? ephemeral!.cert, key: key ?? ephemeral!.key,
    ...(values['tls-ca'] === undefined ? {} : { ca: values['tls-ca'] }),
    ...(values['tls-insecure'] === true ? { verifyPeer: false } : {}),
  });
  return {
    transports,
    note: ephemeral === undefined ? undefined
      : `${name}: no --tls-cert given: ${transports.includes('wss') ? 'WSS' : 'TLS'} uses a self-signed certificate`
        + ' made for this run',
  };
};
