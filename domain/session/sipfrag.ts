/**
 * The message/sipfrag bodies of REFER progress (RFC 3515 §2.4.5): a status
 * line only, e.g. "SIP/2.0 180 Ringing".
 */
export const sipfrag = (status: number, reason: string): string => `SIP/2.0 ${status} ${reason}\r\n`;

/** The status code of a sipfrag body, or undefined when it is not one. */
export const sipfragStatus = (body: string): number | undefined => {
  const match = /^SIP\/2\.0 (\d{3})\b/.exec(body.trimStart());
  return match === null ? undefined : Number(match[1]);
};
