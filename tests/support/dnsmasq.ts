import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import type { ExecutionContext } from 'ava';
import { freeUdpPort } from './ports.js';
import { requireTool, type Tool } from './require-tool.js';

/*
 * dnsmasq (Debian package dnsmasq-base) as a real DNS server on loopback, on a port the test picks,
 * answering from the records it is given and nothing else (no upstream, no hosts file): NAPTR, SRV,
 * A/AAAA for a test domain, NXDOMAIN for the rest of it.
 */

const binary = ['/usr/sbin/dnsmasq', '/sbin/dnsmasq'].find(existsSync) ?? 'dnsmasq';
const DNSMASQ: Tool = { name: 'dnsmasq', command: binary, probeArgs: ['--version'], debianPackage: 'dnsmasq-base' };

export const requireDnsmasq = (t: ExecutionContext): boolean => requireTool(t, DNSMASQ);

export interface DnsRecords {
  /** The zone answered locally (NXDOMAIN for names in it without records). */
  readonly domain: string;
  readonly naptr?: ReadonlyArray<{
    name: string; order: number; preference: number; service: string; replacement: string;
  }>;
  readonly srv?: ReadonlyArray<{ name: string; target: string; port: number; priority: number; weight: number }>;
  readonly hosts?: ReadonlyArray<{ name: string; addresses: ReadonlyArray<string> }>;
}

export interface Dnsmasq {
  readonly server: string;
  stop(): Promise<void>;
}

/** Starts dnsmasq with the records and resolves once it answers a query for them. */
export const startDnsmasq = async (records: DnsRecords): Promise<Dnsmasq> => {
  const port = await freeUdpPort();
  const user = spawnSync('id', ['-un']).stdout.toString().trim();
  const args = [
    '--no-daemon', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts',
    '--conf-file=/dev/null', '--pid-file=', `--user=${user}`, `--local=/${records.domain}/`, '--local-ttl=30',
    ...(records.naptr ?? []).map(
      (r) => `--naptr-record=${r.name},${r.order},${r.preference},s,${r.service},,${r.replacement}`,
    ),
    ...(records.srv ?? []).map((r) => `--srv-host=${r.name},${r.target},${r.port},${r.priority},${r.weight}`),
    ...(records.hosts ?? []).map((h) => `--host-record=${h.name},${h.addresses.join(',')}`),
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const server = `127.0.0.1:${port}`;
  const probe = new Resolver({ timeout: 200, tries: 1 });
  probe.setServers([server]);
  const deadline = Date.now() + 20_000;
  for (;;) {
    // Any answer, NXDOMAIN included, means it is up; a timeout or refusal means not yet.
    const ready = await probe.resolveAny(records.domain)
      .then(() => true, (e: { code?: string }) => e.code === 'ENOTFOUND' || e.code === 'ENODATA');
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`dnsmasq did not answer on ${server}: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    server,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
};
