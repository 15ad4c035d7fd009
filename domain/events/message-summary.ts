/**
 * The message-summary package (RFC 3842): whether messages wait, for which account, and how many voice
 * messages are new and old (urgent ones in brackets). Text, not XML: `Messages-Waiting: yes`.
 */

export const MESSAGE_SUMMARY = 'message-summary';
export const MESSAGE_SUMMARY_TYPE = 'application/simple-message-summary';

export interface MessageSummary {
  readonly waiting: boolean;
  /** The account the summary is for (a SIP URI), when given. */
  readonly account?: string;
  readonly voice?: {
    readonly new: number; readonly old: number; readonly urgentNew?: number; readonly urgentOld?: number;
  };
}

/** CR and LF cannot reach the body from a value: an account is one line. */
const oneLine = (text: string): string => text.replace(/[\r\n]+/g, ' ');

export const formatMessageSummary = (summary: MessageSummary): string => {
  const lines = [`Messages-Waiting: ${summary.waiting ? 'yes' : 'no'}`];
  if (summary.account !== undefined) lines.push(`Message-Account: ${oneLine(summary.account)}`);
  const voice = summary.voice;
  if (voice !== undefined) {
    const urgent = voice.urgentNew !== undefined || voice.urgentOld !== undefined
      ? ` (${voice.urgentNew ?? 0}/${voice.urgentOld ?? 0})` : '';
    lines.push(`Voice-Message: ${voice.new}/${voice.old}${urgent}`);
  }
  return `${lines.join('\r\n')}\r\n`;
};

const count = (text: string | undefined): number | undefined => {
  if (text === undefined || !/^\d{1,9}$/.test(text)) return undefined;
  return Number(text);
};

/** Reads a body; undefined when it has no Messages-Waiting line (the one required line, §5.2). */
export const parseMessageSummary = (body: string): MessageSummary | undefined => {
  let waiting: boolean | undefined;
  let account: string | undefined;
  let voice: MessageSummary['voice'];
  for (const line of body.split(/\r?\n/).slice(0, 64)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'messages-waiting') waiting = value.toLowerCase() === 'yes';
    else if (name === 'message-account') account = value;
    else if (name === 'voice-message') {
      const m = /^(\d+)\/(\d+)(?:\s*\((\d+)\/(\d+)\))?/.exec(value);
      const fresh = count(m?.[1]);
      const old = count(m?.[2]);
      if (fresh !== undefined && old !== undefined) {
        const urgentNew = count(m?.[3]);
        const urgentOld = count(m?.[4]);
        voice = {
          new: fresh, old,
          ...(urgentNew === undefined ? {} : { urgentNew }), ...(urgentOld === undefined ? {} : { urgentOld }),
        };
      }
    }
  }
  if (waiting === undefined) return undefined;
  return { waiting, ...(account === undefined ? {} : { account }), ...(voice === undefined ? {} : { voice }) };
};
