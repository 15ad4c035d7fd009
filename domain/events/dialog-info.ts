/**
 * The dialog package (RFC 4235): a resource's calls as dialog-info+xml, the busy-lamp field of desk
 * phones. Every value from outside (identities, ids) is escaped on its way into the document.
 */
import { escapeXml } from './presence.js';

export const DIALOG = 'dialog';
export const DIALOG_INFO_TYPE = 'application/dialog-info+xml';

export type DialogPhase = 'trying' | 'proceeding' | 'early' | 'confirmed' | 'terminated';

export interface DialogEntry {
  readonly id: string;
  /** initiator: the resource placed the call; recipient: it was called. */
  readonly direction: 'initiator' | 'recipient';
  readonly phase: DialogPhase;
  /** The other party (a SIP URI). */
  readonly remote: string;
}

/** A full document (state="full"): `version` counts the documents sent to this subscriber, from 0 (§4.1). */
export const formatDialogInfo = (entity: string, version: number, dialogs: ReadonlyArray<DialogEntry>): string => [
  '<?xml version="1.0" encoding="UTF-8"?>',
  `<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="${version}" state="full" `
    + `entity="${escapeXml(entity)}">`,
  ...dialogs.flatMap((d) => [
    `<dialog id="${escapeXml(d.id)}" direction="${d.direction}">`,
    `<state>${d.phase}</state>`,
    `<remote><identity>${escapeXml(d.remote)}</identity></remote>`,
    '</dialog>',
  ]),
  '</dialog-info>',
  '',
].join('\r\n');
