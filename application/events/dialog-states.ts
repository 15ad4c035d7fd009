import * as E from 'fp-ts/lib/Either.js';
import type { DialogEntry, DialogPhase } from '../../domain/events/dialog-info.js';
import type { CallState } from '../../domain/session/call-state.js';
import { parseTarget } from '../../domain/session/call-target.js';
import type { SessionEvent } from '../../domain/session/session-event.js';
import type { EventBus } from '../session/event-bus.js';
import { resourceOf } from './notifier.js';

const PHASES: Readonly<Record<CallState, DialogPhase>> = {
  Initializing: 'trying', Dialing: 'trying', Ringing: 'early', Connected: 'confirmed', OnHold: 'confirmed',
  Transferring: 'confirmed', Terminating: 'confirmed', Terminated: 'terminated', Cancelled: 'terminated',
  Rejected: 'terminated', Failed: 'terminated',
};

interface Tracked {
  readonly resource: string;
  entry: DialogEntry;
}

/**
 * Our calls by the local party's address of record, as the dialog package (RFC 4235) reports them: each
 * change of a call publishes the full list of its resource, an ended call once more as terminated.
 */
export class DialogStates {
  private readonly calls = new Map<string, Tracked>();
  private readonly byResource = new Map<string, Set<string>>();

  constructor(
    events: EventBus, private readonly publish: (resource: string, dialogs: DialogEntry[] | undefined) => void,
  ) {
    events.subscribe((event) => this.observe(event), { types: ['SessionCreated', 'StateChanged', 'CallEnded'] });
  }

  private observe(event: SessionEvent): void {
    if (event.type === 'SessionCreated') {
      const incoming = event.direction === 'incoming';
      const local = parseTarget(incoming ? event.to : event.from);
      if (E.isLeft(local)) return;
      const resource = resourceOf(local.right.uri);
      this.calls.set(event.sessionId, {
        resource,
        entry: {
          id: event.sessionId, direction: incoming ? 'recipient' : 'initiator', phase: 'trying',
          remote: incoming ? event.from : event.to,
        },
      });
      let ids = this.byResource.get(resource);
      if (ids === undefined) this.byResource.set(resource, (ids = new Set()));
      ids.add(event.sessionId);
      return this.changed(resource);
    }
    const call = this.calls.get('sessionId' in event ? event.sessionId ?? '' : '');
    if (call === undefined) return;
    if (event.type === 'StateChanged') {
      const phase = PHASES[event.to];
      if (phase === call.entry.phase) return;
      call.entry = { ...call.entry, phase };
      return this.changed(call.resource);
    }
    // Ended: reported once as terminated, then forgotten.
    call.entry = { ...call.entry, phase: 'terminated' };
    this.changed(call.resource);
    this.calls.delete(call.entry.id);
    const ids = this.byResource.get(call.resource);
    ids?.delete(call.entry.id);
    if (ids?.size !== 0) return;
    // Idle again: subscribers see no dialog, and nothing is kept for the resource.
    this.byResource.delete(call.resource);
    this.publish(call.resource, undefined);
  }

  private changed(resource: string): void {
    const ids = this.byResource.get(resource) ?? new Set<string>();
    this.publish(resource, [...ids].flatMap((id) => {
      const call = this.calls.get(id);
      return call === undefined ? [] : [call.entry];
    }));
  }
}
