import type { SipTraceEntry } from './tracing-transport.js';

export interface LadderParty {
  readonly label: string;
  /** "host:port" as the transport reports it. */
  readonly address: string;
}

interface Line {
  readonly atMs: number;
  readonly fromLeft: boolean;
  readonly summary: string;
  readonly mark: 'delivered' | 'lost' | 'duplicate' | 'unknown';
}

/**
 * A text ladder of the messages `left` and `right` sent each other, one line
 * per message, times counted from the first one. Re-INVITEs say whether they
 * hold or resume. When both parties were traced, a message sent but never
 * received is drawn lost (x), and a copy received twice (a duplicating
 * network) gets a line of its own.
 */
export const ladder = (
  entries: ReadonlyArray<SipTraceEntry>, left: LadderParty, right: LadderParty, width = 56,
): string => {
  const ours = (address: string): boolean => address === left.address || address === right.address;
  /** Two parties: whatever one sends goes to the other (over TCP/TLS its connection shows another port). */
  const other = (address: string): string => (address === left.address ? right.address : left.address);
  const sent = entries.filter((e) => e.direction === 'out' && ours(e.local));
  const fromOther = (e: SipTraceEntry): boolean =>
    ours(e.remote) || sent.some((s) => s.local === other(e.local) && s.key === e.key);
  const received = entries.filter((e) => e.direction === 'in' && ours(e.local) && fromOther(e));
  const traced = new Set(received.map((e) => e.local));
  const delivered = new Set<SipTraceEntry>();
  const lines: Line[] = [];
  // Each receipt belongs to the latest copy sent before it: network delays are far below the
  // retransmission intervals, so an earlier copy that no receipt claims was lost, and a receipt
  // whose copy is already claimed is a duplicate.
  for (const e of received) {
    const copy = sent.filter((s) => s.local === other(e.local) && s.key === e.key && s.atMs <= e.atMs).at(-1);
    if (copy !== undefined && !delivered.has(copy)) delivered.add(copy);
    else {
      // From a party that was not traced, what arrived is all we know of it.
      const untraced = !sent.some((s) => s.local === other(e.local));
      lines.push({
        atMs: e.atMs, fromLeft: e.local === right.address, summary: labelled(e, sent),
        mark: untraced ? 'unknown' : 'duplicate',
      });
    }
  }
  for (const e of sent) {
    const mark = delivered.has(e) ? 'delivered' : traced.has(other(e.local)) ? 'lost' : 'unknown';
    lines.push({ atMs: e.atMs, fromLeft: e.local === left.address, summary: labelled(e, sent), mark });
  }
  lines.sort((a, b) => a.atMs - b.atMs);
  const start = lines[0]?.atMs ?? 0;
  const header = `${' '.repeat(10)}${left.label.padEnd(width / 2)}${right.label.padStart(width / 2)}`;
  return [header, ...lines.map((line) => draw(line, start, width))].join('\n');
};

const draw = (line: Line, startMs: number, width: number): string => {
  const note = line.mark === 'lost' ? ' (lost)' : line.mark === 'duplicate' ? ' (duplicate)' : '';
  const text = `${line.summary}${note}`;
  const label = ` ${text.length > width - 8 ? `${text.slice(0, width - 11)}...` : text} `;
  const dashes = Math.max(0, width - 2 - label.length);
  const body = `${'-'.repeat(Math.floor(dashes / 2))}${label}${'-'.repeat(Math.ceil(dashes / 2))}`;
  const arrow = line.mark === 'lost'
    ? (line.fromLeft ? `|${body}x ` : ` x${body}|`)
    : (line.fromLeft ? `|${body}>|` : `|<${body}|`);
  return `${((line.atMs - startMs) / 1000).toFixed(3).padStart(8)}s ${arrow}`;
};

/** A re-INVITE's summary says what it does: hold (sendonly or inactive), resume (back to sendrecv), or neither. */
const labelled = (e: SipTraceEntry, sent: ReadonlyArray<SipTraceEntry>): string => {
  if (!e.inDialog || !e.summary.startsWith('INVITE ') || e.sdpDirection === undefined) return e.summary;
  const held = e.sdpDirection === 'sendonly' || e.sdpDirection === 'inactive';
  const earlier = sent.filter(
    (s) =>
      s.callId === e.callId && s.atMs < e.atMs && s.inDialog && s.summary.startsWith('INVITE ')
      && s.sdpDirection !== undefined,
  );
  const wasHeld = earlier.some((s) => s.sdpDirection === 'sendonly' || s.sdpDirection === 'inactive')
    && (earlier.at(-1)?.sdpDirection === 'sendonly' || earlier.at(-1)?.sdpDirection === 'inactive');
  const what = held ? 'hold' : wasHeld ? 'resume' : 're-INVITE';
  return e.summary.replace(/^INVITE /, `INVITE (${what}) `);
};
