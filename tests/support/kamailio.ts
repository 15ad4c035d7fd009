import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ExecutionContext } from 'ava';
import { freeSipPort } from './ports.js';
import { requireTool, type Tool } from './require-tool.js';

/*
 * Kamailio (Debian package kamailio) as a real registrar and record-routing
 * proxy: REGISTER is challenged with Digest (one shared password), calls to a
 * registered AOR are forwarded to its contact, and in-dialog requests follow
 * the Record-Route it inserts into INVITE dialogs.
 */

const MODULE_DIRS = [
  '/usr/lib/x86_64-linux-gnu/kamailio/modules', '/usr/lib/aarch64-linux-gnu/kamailio/modules',
  '/usr/lib/kamailio/modules',
];

const KAMAILIO: Tool = { name: 'Kamailio', command: 'kamailio', probeArgs: ['-v'], debianPackage: 'kamailio' };

export const requireKamailio = (t: ExecutionContext): boolean => requireTool(t, KAMAILIO);

export interface Kamailio {
  readonly port: number;
  /** Its TLS port, when started with a certificate. */
  readonly tlsPort: number | undefined;
  /** Its log (one NOTICE line per request it handled). */
  output(): string;
  stop(): Promise<void>;
}

/** Its TLS module's settings: our certificate as a server; as a client it connects to peers without verifying. */
const tlsConfig = (dir: string): string => `[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
private_key = ${path.join(dir, 'tls-key.pem')}
certificate = ${path.join(dir, 'tls-cert.pem')}

[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
`;

const config = (
  port: number, modules: string, password: string, challengeInvites: boolean, tls: { port: number; dir: string } | undefined,
): string => `#!KAMAILIO
debug=2
log_stderror=yes
children=1
auto_aliases=no
listen=udp:127.0.0.1:${port}
listen=tcp:127.0.0.1:${port}
alias="127.0.0.1:${port}"
${tls === undefined ? '' : `enable_tls=yes
listen=tls:127.0.0.1:${tls.port}
alias="127.0.0.1:${tls.port}"
`}mpath="${modules}/"
${tls === undefined ? '' : `loadmodule "tls.so"
modparam("tls", "config", "${path.join(tls.dir, 'tls.cfg')}")
`}loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "auth.so"

request_route {
  xlog("L_NOTICE", "request $rm $ru from $pr:$si:$sp\\n");
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (has_totag()) {
    if (loose_route()) { t_relay(); exit; }
    if (is_method("ACK")) { if (t_check_trans()) t_relay(); exit; }
    sl_send_reply("404", "Not here");
    exit;
  }
  if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
  t_check_trans();
  if (is_method("REGISTER")) {
    if (!pv_www_authenticate("$td", "${password}", "0")) { www_challenge("$td", "0"); exit; }
    save("location");
    exit;
  }
${challengeInvites ? `  if (is_method("INVITE") && !pv_proxy_authenticate("$fd", "${password}", "0")) { proxy_challenge("$fd", "0"); exit; }
  if (is_method("INVITE")) consume_credentials();
` : ''}  if (is_method("INVITE")) record_route();
  if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
  t_relay();
}
`;

/**
 * Starts Kamailio on a 127.0.0.1 port free for UDP and TCP; every REGISTER
 * must answer Digest with `password`, and with `challengeInvites` every new
 * INVITE too (407, realm = the From domain).
 */
export const startKamailio = async (
  password: string,
  options: { readonly challengeInvites?: boolean; readonly tls?: { readonly cert: string; readonly key: string } } = {},
): Promise<Kamailio> => {
  const modules = MODULE_DIRS.find((dir) => existsSync(dir));
  if (modules === undefined) throw new Error('Kamailio modules not found');
  const dir = mkdtempSync(path.join(tmpdir(), 'kamailio-'));
  const port = await freeSipPort();
  let tls: { port: number; dir: string } | undefined;
  if (options.tls !== undefined) {
    if (!existsSync(path.join(modules, 'tls.so'))) throw new Error('Kamailio TLS module missing (kamailio-tls-modules)');
    writeFileSync(path.join(dir, 'tls-cert.pem'), options.tls.cert);
    writeFileSync(path.join(dir, 'tls-key.pem'), options.tls.key, { mode: 0o600 });
    writeFileSync(path.join(dir, 'tls.cfg'), tlsConfig(dir));
    tls = { port: await freeSipPort(), dir };
  }
  writeFileSync(
    path.join(dir, 'kamailio.cfg'), config(port, modules, password, options.challengeInvites === true, tls),
  );
  // -DD: stay in the foreground; -E: log to stderr; its own run folder.
  const child: ChildProcess = spawn('kamailio', ['-f', path.join(dir, 'kamailio.cfg'), '-DD', '-E', '-Y', dir, '-P', path.join(dir, 'kamailio.pid')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (c: Buffer) => (text += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (text += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 5_000;
  // Ready once its worker processes are up (the last to start is the timer's).
  while (!/probe_max_receive_buffer\(\): SO_RCVBUF is finally/.test(text)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`Kamailio did not start:\n${text.slice(-2_000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  return {
    port,
    tlsPort: tls?.port,
    output: () => text,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
