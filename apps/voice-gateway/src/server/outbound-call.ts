import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient';

export interface OutboundCallOptions {
  readonly accountSid: string;
  readonly authToken: string;
  /** Overrides `https://api.twilio.com` (TWILIO_API_BASE_URL: proxies, tests). */
  readonly apiBaseUrl?: string;
}

export type OutboundCaller = (to: string, from: string, webhookUrl: string) => Promise<{ sid: string; status: string }>;

/**
 * Outbound calls through the twilio SDK. The call's TwiML comes from our own webhook (`url`), fetched when the
 * callee answers, so the per-call token is issued then and its TTL does not have to cover the ringing.
 * The SDK's `edge`/`region` options only rename `api.twilio.com` (to `api.<edge>.<region>.twilio.com`), so they
 * cannot point at another host; a RequestClient that rewrites the origin can.
 */
export function createOutboundCaller(o: OutboundCallOptions): OutboundCaller {
  let httpClient: InstanceType<typeof twilio.RequestClient> | undefined;
  if (o.apiBaseUrl !== undefined) {
    const base = o.apiBaseUrl;
    class RebasedRequestClient extends twilio.RequestClient {
      override request<TData>(opts: RequestClient.RequestOptions<TData>) {
        const u = new URL(opts.uri);
        return super.request<TData>({ ...opts, uri: `${base}${u.pathname}${u.search}` });
      }
    }
    httpClient = new RebasedRequestClient({ autoRetry: false });
  }
  const client = twilio(o.accountSid, o.authToken, httpClient ? { httpClient } : {});
  return async (to, from, webhookUrl) => {
    const call = await client.calls.create({ to, from, url: webhookUrl, method: 'POST' });
    return { sid: call.sid, status: call.status };
  };
}
