import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { SystemClock } from '../../adapters/node/system-clock.js';
import { TcpSipTransport } from '../../adapters/node/tcp-sip-transport.js';
import { UdpSipTransport } from '../../adapters/node/udp-sip-transport.js';
import { TransactionLayer } from '../../application/transaction-layer.js';
import { MultiTransport } from '../../adapters/shared/multi-transport.js';
import { buildResponse } from '../../domain/sip/build-response.js';
import type { SipTransport } from '../../ports/sip-transport.js';
import { right } from '../support/either.js';
import { requireSipp, runSipp } from '../support/sipp.js';

const scenarios = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sipp');

/** Our server transactions behind a TU that rejects INVITE with 486 and answers everything else 200. */
const startServer = async (t: ExecutionContext, protocol: 'udp' | 'tcp'): Promise<{ port: number; layer: TransactionLayer; transport: SipTransport }> => {
  const transport: SipTransport = protocol === 'udp'
    ? right(t, await UdpSipTransport.listen({ host: '127.0.0.1', port: 0 }))
    : new MultiTransport([right(t, await TcpSipTransport.listen({ host: '127.0.0.1', port: 0 }))]);
  const layer = new TransactionLayer(transport, new SystemClock(), {
    onRequest: (request, tx) => void tx.respond(
      buildResponse(request, request.method === 'INVITE' ? 486 : 200, { toTag: `t${tx.id}` }),
    ),
  });
  t.teardown(async () => {
    layer.close();
    await transport.close();
  });
  return { port: transport.localEndpoint(protocol)!.port, layer, transport };
};

for (const protocol of ['udp', 'tcp'] as const) {
  for (const scenario of ['invite-reject', 'options']) {
    const lossy = protocol === 'udp';
    test(`SIPp ${scenario} over ${protocol}${lossy ? ' with 10 % loss' : ''}: 100 calls against our server transactions, none failed`, async (t) => {
      if (!requireSipp(t)) return;
      const server = await startServer(t, protocol);
      const args = ['-sf', path.join(scenarios, `${scenario}.xml`), '-m', '100', '-r', '50', '-l', '100', '-t', protocol === 'udp' ? 'u1' : 't1',
        '-i', '127.0.0.1', ...(lossy ? ['-lost', '10'] : []), '-timeout', '90s', '-timeout_error', `127.0.0.1:${server.port}`];
      const result = await runSipp(args, 120_000);
      t.log(
        `successful ${result.successful}, failed ${result.failed}, server received ${server.transport.counters().received}`,
      );
      t.is(result.failed, 0, result.stderr);
      t.is(result.successful, 100, result.stdout.slice(-2000));
      t.is(result.code, 0);
    });
  }
}
