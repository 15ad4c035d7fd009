import {
  formatMessageSummary, MESSAGE_SUMMARY, MESSAGE_SUMMARY_TYPE, type MessageSummary,
} from '../../domain/events/message-summary.js';
import { DIALOG, DIALOG_INFO_TYPE, formatDialogInfo, type DialogEntry } from '../../domain/events/dialog-info.js';
import { formatPidf, PIDF_TYPE, PRESENCE, type PresenceState } from '../../domain/events/presence.js';
import type { EventPackage } from './notifier.js';

/** Message waiting (RFC 3842): a resource with no published state has nothing waiting. */
export const messageSummaryPackage: EventPackage<MessageSummary> = {
  name: MESSAGE_SUMMARY, contentType: MESSAGE_SUMMARY_TYPE,
  expiry: { minSec: 60, maxSec: 86_400, defaultSec: 3_600 }, minIntervalMs: 1_000,
  body: (resource, state) => formatMessageSummary(state ?? { waiting: false, account: `sip:${resource}` }),
};

/** Presence (RFC 3856): unknown is closed; changes at most every 5 s per subscription (§6.4's throttle). */
export const presencePackage: EventPackage<PresenceState> = {
  name: PRESENCE, contentType: PIDF_TYPE,
  expiry: { minSec: 60, maxSec: 86_400, defaultSec: 3_600 }, minIntervalMs: 5_000,
  body: (resource, state) => formatPidf(`sip:${resource}`, state ?? { basic: 'closed' }),
};

/** Dialogs (RFC 4235), the busy-lamp field: our calls per address of record, full state, quick updates. */
export const dialogPackage: EventPackage<ReadonlyArray<DialogEntry>> = {
  name: DIALOG, contentType: DIALOG_INFO_TYPE,
  expiry: { minSec: 60, maxSec: 86_400, defaultSec: 3_600 }, minIntervalMs: 100,
  body: (resource, state, version) => formatDialogInfo(`sip:${resource}`, version, state ?? []),
};

export const BUILT_IN_PACKAGES: Readonly<Record<string, EventPackage>> = {
  [MESSAGE_SUMMARY]: messageSummaryPackage as EventPackage, [PRESENCE]: presencePackage as EventPackage,
  [DIALOG]: dialogPackage as EventPackage,
};
