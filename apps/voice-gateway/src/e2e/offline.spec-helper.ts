// Shared by the offline end-to-end test, the Playwright test and the latency bench: the gateway on the offline
// providers in-process, flite-synthesized caller lines, and the dialog the default script should go through.
import { concatBytes } from '@voice/audio-codec';
import { type ChatMessage, SentenceChunker, createScriptedLlm, normalizeText } from '@voice/llm';
import { createLocalTts } from '@voice/tts-providers';
import { loadConfig } from '../config/config';
import { createLogger } from '../observability/logger';
import { type Gateway, createGateway } from '../server/gateway';

/**
 * Tests that need the Debian packages (pocketsphinx, chromium) fail when they are missing: CI installs them with
 * `npm run setup`. A developer without them opts out explicitly with this variable; the skip is announced.
 */
export const SKIP_OFFLINE_ENV = 'VOICE_SKIP_OFFLINE_E2E';

export function describeOffline(what: string): jest.Describe {
  if (process.env[SKIP_OFFLINE_ENV] === '1') {
    console.warn(`${what}: skipped because ${SKIP_OFFLINE_ENV}=1 (needs pocketsphinx, pocketsphinx-en-us and chromium from 'npm run setup')`);
    return describe.skip;
  }
  return describe;
}

/**
 * One order through the default coffee-shop script, every state in turn: order → more → confirm → name →
 * name_confirm → done. Lines are phrases of the states' grammars (lower-case cmudict words).
 */
export const ORDER_LINES = ['i would like two latte', 'can i get a muffin', 'no thank you', 'yes that is right', 'my name is anna', 'yes that is right'] as const;
/** The state each line leaves the dialog in. */
export const ORDER_STATES = ['more', 'more', 'confirm', 'name', 'name_confirm', 'done'] as const;
/** The line said over the agent (the read-back of the order): the barge-in. */
export const BARGE_IN_LINE = 3;

export interface OfflineGateway {
  readonly gateway: Gateway;
  readonly port: number;
  readonly logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export const OFFLINE_AUTH_TOKEN = 'offline-e2e-token';
export const OFFLINE_PUBLIC_HOST = 'offline.example.com';

/** The gateway as `npm start` runs it with no keys (plus a Twilio token so the fake Twilio client may call). */
export async function startOfflineGateway(env: Record<string, string> = {}): Promise<OfflineGateway> {
  const logs: Record<string, unknown>[] = [];
  const config = loadConfig({ PUBLIC_HOST: OFFLINE_PUBLIC_HOST, TWILIO_AUTH_TOKEN: OFFLINE_AUTH_TOKEN, LOG_LEVEL: 'debug', IDLE_REPROMPT_MS: '0', ...env });
  const logger = createLogger(config.logLevel, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const gateway = createGateway(config, { logger, defaultMetrics: false });
  await gateway.providers.warm();
  const port = await gateway.listen(0, '127.0.0.1');
  return { gateway, port, logs, close: () => gateway.close() };
}

/** flite (the local TTS, voice rms) → μ-law 8 kHz, one buffer per line. */
export async function synthesizeLines(lines: readonly string[]): Promise<Uint8Array[]> {
  const tts = createLocalTts();
  try {
    const out: Uint8Array[] = [];
    for (const text of lines) {
      const parts: Uint8Array[] = [];
      for await (const chunk of tts.synthesize(text, { signal: new AbortController().signal })) parts.push(chunk.data);
      out.push(concatBytes(parts));
    }
    return out;
  } finally {
    await tts.close();
  }
}

/** What the scripted agent says after each caller line (index 0: the opening), as the gateway's chunker cuts it. */
export function expectedReplies(lines: readonly string[]): string[][] {
  // The persona the gateway passes to the script by default (AGENT_NAME, COMPANY_NAME).
  const { agentName, companyName } = loadConfig({}).persona;
  const llm = createScriptedLlm({ variables: { agentName, companyName } });
  const history: ChatMessage[] = [];
  const replies: string[][] = [sentences(llm.dialogState(history).reply)];
  for (const line of lines) {
    history.push({ role: 'user', content: line });
    const reply = llm.dialogState(history).reply;
    replies.push(sentences(reply));
    history.push({ role: 'assistant', content: reply });
  }
  return replies;
}

/** The scripted provider streams a reply word by word; the gateway's chunker cuts it into spoken chunks. */
function sentences(reply: string): string[] {
  const chunker = new SentenceChunker();
  const out: string[] = [];
  reply.split(' ').forEach((w, i) => out.push(...chunker.push(i === 0 ? w : ` ${w}`)));
  return [...out, ...chunker.flush()];
}

/** Text as a recogniser writes it: lower case, words only (numbers are already words in the script). */
export const spoken = (text: string): string => normalizeText(text);

/** Word error rate of `hyp` against `ref` (Levenshtein over words). */
export function wordErrorRate(ref: string, hyp: string): number {
  const r = ref.split(' ').filter(Boolean);
  const h = hyp.split(' ').filter(Boolean);
  const d = Array.from({ length: r.length + 1 }, (_, i) => [i, ...Array<number>(h.length).fill(0)]);
  for (let j = 1; j <= h.length; j++) d[0]![j] = j;
  for (let i = 1; i <= r.length; i++) {
    for (let j = 1; j <= h.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (r[i - 1] === h[j - 1] ? 0 : 1));
    }
  }
  return r.length === 0 ? (h.length === 0 ? 0 : 1) : d[r.length]![h.length]! / r.length;
}
