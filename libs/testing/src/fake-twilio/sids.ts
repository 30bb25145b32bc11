import { randomBytes } from 'node:crypto';

/** Twilio SID shape: a two-letter prefix and 32 hex digits (REST pattern `^MZ[0-9a-fA-F]{32}$`). */
export const TWILIO_SID_PATTERN = /^[A-Z]{2}[0-9a-f]{32}$/;

export type TwilioSidPrefix = 'AC' | 'CA' | 'MZ';

/** A random SID in the real format: `AC…` account, `CA…` call, `MZ…` media stream. */
export function newTwilioSid(prefix: TwilioSidPrefix): string {
  return prefix + randomBytes(16).toString('hex');
}
