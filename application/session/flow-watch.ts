import type { SessionRecord } from './session-record.js';
import type { SessionTable } from './session-table.js';
import type { CallTermination } from './call-termination.js';
import type { ClosedFlow } from '../../ports/sip-transport.js';
import type { RegistrarService } from '../registrar/registrar-service.js';
import type { Logger } from '../../ports/logger.js';

/** The reason a call carried over a connection that closed ends with. */
export const CONNECTION_LOST = 'Connection lost';

/**
 * What a closed flow takes with it (RFC 5626 §5.3, RFC 7118 §5): the calls whose peer was reachable only
 * over that connection end at once — the BYE we owe cannot leave, so the call ends here and its B2BUA
 * partner or bridge hears of it as usual — and the registrar forgets the bindings that pointed at it.
 */
export class FlowWatch {
  constructor(
    private readonly table: SessionTable, private readonly termination: CallTermination,
    private readonly registrar: RegistrarService | undefined, private readonly logger: Logger | undefined,
  ) {}

  closed(flow: ClosedFlow): void {
    const hosts = new Set(flow.hosts);
    let ended = 0;
    for (const record of this.table.liveRecords()) {
      if (!rides(record, flow, hosts)) continue;
      ended++;
      this.termination.end(record, CONNECTION_LOST);
    }
    if (ended > 0) this.logger?.info('calls ended with their connection', {
      remote: `${flow.remote.host}:${flow.remote.port}`, calls: ended,
    });
    void this.registrar?.flowClosed(flow).catch((error: unknown) => this.logger?.warn(
      'bindings of a closed connection stayed', { error: String(error) },
    ));
  }
}

/** Whether a call's peer is reached through the flow: its remote target (or the INVITE it sent) names it. */
const rides = (record: SessionRecord, flow: ClosedFlow, hosts: ReadonlySet<string>): boolean => {
  const target = record.dialog?.dialog.remoteTarget;
  if (target !== undefined) return target.kind === 'sip' && hosts.has(target.host.toLowerCase());
  const from = record.incoming?.transaction;
  return from !== undefined && from.connectionId === flow.connectionId
    && from.source.host === flow.remote.host && from.source.port === flow.remote.port;
};
