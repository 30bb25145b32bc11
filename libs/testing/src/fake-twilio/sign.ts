import { computeSignature } from '@voice/twilio-protocol';

/**
 * The `X-Twilio-Signature` Twilio sends on the Media Streams upgrade: HMAC-SHA1 over the `wss://` URL exactly as
 * written in the TwiML, with empty params (twilio `getExpectedTwilioSignature(authToken, url, {})`).
 */
export function signUpgrade(authToken: string, wssUrl: string): string {
  return computeSignature(authToken, wssUrl, {});
}
