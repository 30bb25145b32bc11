import { request as httpRequest } from 'node:http';
import { writeWav } from '@voice/audio-codec';
import Groq from 'groq-sdk';
import OpenAI, { toFile } from 'openai';
import { startFakeOpenAi, type FakeOpenAi } from './fake-openai';
import { wavDurationSeconds } from './transcriptions';

/** Reads a whole SSE body and returns the `data:` payloads in order. */
function dataLines(body: string): string[] {
  return body
    .split('\n\n')
    .filter((e) => e.startsWith('data: '))
    .map((e) => e.slice('data: '.length));
}

function post(fake: FakeOpenAi, path: string, body: unknown, key = fake.apiKey): Promise<Response> {
  return fetch(fake.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** A tiny mono s16le WAV: 44-byte header + `samples` silent samples at `rate`. */
function wav(samples: number, rate: number): Buffer {
  const h = Buffer.from(writeWav(new Int16Array(samples), rate));
  // Bytes that look like multipart syntax must survive the upload untouched.
  h.write('\r\n--x\r\n', 44, 'latin1');
  return h;
}

interface ErrorBody {
  error: { message: string; type: string; code: string | null };
}
interface CompletionBody {
  object: string;
  choices: Array<{ message: unknown }>;
  usage: { completion_tokens: number };
}
const errorOf = async (res: Response): Promise<ErrorBody['error']> => ((await res.json()) as ErrorBody).error;

const chatBody = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true };

describe('startFakeOpenAi', () => {
  let fake: FakeOpenAi;
  beforeEach(async () => {
    fake = await startFakeOpenAi();
  });
  afterEach(async () => {
    await fake.close();
  });

  describe('chat completions', () => {
    it('streams SSE chunks: role, text deltas, finish, usage, [DONE]', async () => {
      fake.script.chat({ deltas: ['Hi', ' there', '.'] });
      const res = await post(fake, '/v1/chat/completions', { ...chatBody, stream_options: { include_usage: true } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const lines = dataLines(await res.text());
      expect(lines.at(-1)).toBe('[DONE]');
      const chunks = lines.slice(0, -1).map((l) => JSON.parse(l));
      expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
      const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
      expect(text).toBe('Hi there.');
      const finish = chunks.find((c) => c.choices[0]?.finish_reason);
      expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
      const usage = chunks.at(-1);
      expect(usage.choices).toEqual([]);
      expect(usage.usage).toMatchObject({ completion_tokens: 3 });
      expect(usage.usage.total_tokens).toBe(usage.usage.prompt_tokens + 3);
      expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
      const rec = fake.requests[0];
      expect(rec).toMatchObject({ path: '/v1/chat/completions', vendor: 'openai', endpoint: 'chat', status: 200 });
      expect(rec?.headers.authorization).toBe('Bearer test-key');
      expect(rec?.json?.['messages']).toEqual(chatBody.messages);
      await rec?.settled;
      expect(rec?.outcome).toBe('completed');
    });

    it('parses the same stream when every event is split mid-JSON across TCP writes', async () => {
      fake.script.chat({ deltas: ['a', 'b', 'c'], splitEvents: true });
      const client = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseUrlOpenAi, maxRetries: 0, timeout: 5000 });
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      expect(text).toBe('abc');
    });

    it('streams tool-call deltas that the openai SDK can reassemble', async () => {
      const args = JSON.stringify({ city: 'Paris', unit: 'celsius' });
      fake.script.chat({ toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: args }] });
      const client = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseUrlOpenAi, maxRetries: 0, timeout: 5000 });
      const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true });
      let joined = '';
      let name = '';
      let finish: string | null = null;
      let fragments = 0;
      for await (const c of stream) {
        for (const t of c.choices[0]?.delta?.tool_calls ?? []) {
          if (t.function?.name) name = t.function.name;
          if (t.function?.arguments) {
            joined += t.function.arguments;
            fragments++;
          }
        }
        finish = c.choices[0]?.finish_reason ?? finish;
      }
      expect(name).toBe('get_weather');
      expect(joined).toBe(args);
      expect(fragments).toBeGreaterThan(1);
      expect(finish).toBe('tool_calls');
    });

    it('answers non-streaming requests with one chat.completion object', async () => {
      const res = await post(fake, '/v1/chat/completions', { ...chatBody, stream: false });
      const body = (await res.json()) as CompletionBody;
      expect(body.object).toBe('chat.completion');
      expect(body.choices[0].message).toEqual({ role: 'assistant', content: 'Hello there, how can I help?' });
      expect(body.usage.completion_tokens).toBe(6);
    });

    it('serves Groq under /openai/v1 with x_groq usage, through groq-sdk', async () => {
      const groq = new Groq({ apiKey: fake.apiKey, baseURL: fake.baseUrlGroq, maxRetries: 0, timeout: 5000 });
      const stream = await groq.chat.completions.create({ model: 'llama-3.1-8b-instant', messages: [{ role: 'user', content: 'x' }], stream: true });
      let text = '';
      let usage: unknown;
      for await (const c of stream) {
        text += c.choices[0]?.delta?.content ?? '';
        usage = c.x_groq?.usage ?? usage;
      }
      expect(text).toBe('Hello there, how can I help?');
      expect(usage).toMatchObject({ completion_tokens: 6 });
      expect(fake.requests[0]).toMatchObject({ path: '/openai/v1/chat/completions', vendor: 'groq' });
    });

    it('rejects what Groq rejects (logprobs, n > 1, messages[].name) with 400', async () => {
      for (const extra of [{ logprobs: true }, { n: 2 }, { messages: [{ role: 'user', content: 'x', name: 'bob' }] }]) {
        const res = await post(fake, '/openai/v1/chat/completions', { ...chatBody, ...extra });
        expect(res.status).toBe(400);
        expect((await errorOf(res)).type).toBe('invalid_request_error');
      }
      expect((await post(fake, '/v1/chat/completions', { ...chatBody, n: 2 })).status).toBe(200);
    });

    it('answers a wrong key with 401 and an OpenAI error body', async () => {
      const res = await post(fake, '/v1/chat/completions', chatBody, 'wrong');
      expect(res.status).toBe(401);
      expect((await errorOf(res)).code).toBe('invalid_api_key');
    });

    it('sends a scripted 429 with retry-after, then serves the next request normally', async () => {
      fake.script.chat({ status: 429, retryAfter: '2' });
      const first = await post(fake, '/v1/chat/completions', chatBody);
      expect(first.status).toBe(429);
      expect(first.headers.get('retry-after')).toBe('2');
      expect((await errorOf(first)).code).toBe('rate_limit_exceeded');
      const second = await post(fake, '/v1/chat/completions', chatBody);
      expect(second.status).toBe(200);
      await second.text();
    });

    it('writes a malformed data line and ends the response', async () => {
      fake.script.chat({ malformedAfterChunks: 2 });
      const lines = dataLines(await (await post(fake, '/v1/chat/completions', chatBody)).text());
      expect(lines).toHaveLength(3);
      expect(() => JSON.parse(lines[2] ?? '')).toThrow(SyntaxError);
    });

    it('destroys the socket mid-stream when scripted', async () => {
      fake.script.chat({ destroyAfterChunks: 2 });
      const res = await post(fake, '/v1/chat/completions', chatBody);
      await expect(res.text()).rejects.toThrow();
      await fake.requests[0]?.settled;
      expect(fake.requests[0]).toMatchObject({ outcome: 'server-destroyed', bodyWrites: 2, clientAborted: false });
    });

    it('records a client abort during a hang and settles it', async () => {
      fake.script.chat({ hang: 1 });
      const ac = new AbortController();
      const res = await fetch(fake.url + '/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: 'Bearer test-key' },
        body: JSON.stringify(chatBody),
        signal: ac.signal,
      });
      const reader = res.body?.getReader();
      const first = await reader?.read();
      expect(new TextDecoder().decode(first?.value)).toContain('"role":"assistant"');
      ac.abort();
      const rec = await fake.requests[0]?.settled;
      expect(rec).toMatchObject({ outcome: 'client-aborted', clientAborted: true, bodyWrites: 1 });
      expect(fake.inFlight()).toBe(0);
    });

    it('holds the headers back for headersDelayMs; a client that gives up first is recorded as aborted', async () => {
      fake.script.chat({ headersDelayMs: 5_000 });
      const ac = new AbortController();
      const pending = fetch(fake.url + '/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: 'Bearer test-key' },
        body: JSON.stringify(chatBody),
        signal: ac.signal,
      });
      const [rec] = await fake.waitForRequests(1);
      ac.abort();
      await expect(pending).rejects.toThrow();
      await rec?.settled;
      expect(rec?.status).toBeUndefined();
      expect(rec).toMatchObject({ outcome: 'client-aborted', clientAborted: true });
    });

    it('ends a stream cleanly without [DONE] with endAfterChunks', async () => {
      fake.script.chat({ deltas: ['a', 'b'], endAfterChunks: 2 });
      const lines = dataLines(await (await post(fake, '/v1/chat/completions', chatBody)).text());
      expect(lines).toHaveLength(2);
      expect(lines).not.toContain('[DONE]');
      expect(fake.requests[0]?.outcome).toBe('completed');
    });

    it('close() ends a request hanging before its headers', async () => {
      fake.script.chat({ hang: 'before-headers' });
      const req = httpRequest(fake.url + '/v1/chat/completions', { method: 'POST', headers: { authorization: 'Bearer test-key' } });
      const failed = new Promise((resolve) => req.on('error', resolve));
      req.end(JSON.stringify(chatBody));
      const [rec] = await fake.waitForRequests(1);
      expect(rec?.status).toBeUndefined();
      await fake.close();
      await failed;
      expect(rec?.outcome).toBe('server-hung-up');
      expect(fake.openConnections()).toBe(0);
    });
  });

  describe('audio speech', () => {
    it('streams raw s16le 24 kHz PCM in several chunks through the openai SDK', async () => {
      fake.script.speech({ toneMs: 500, chunks: 5 });
      const client = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseUrlOpenAi, maxRetries: 0, timeout: 5000 });
      const speech = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'Hello.', response_format: 'pcm' });
      expect(speech.headers.get('content-type')).toBe('audio/pcm');
      const bytes = Buffer.from(await speech.arrayBuffer());
      expect(bytes.length).toBe(24_000);
      // 440 Hz at 24 kHz: sample 15 is sin(2π·440·15/24000) ≈ 0.939 of the 0.3 amplitude.
      expect(bytes.readInt16LE(30)).toBe(Math.round(0.3 * 32767 * Math.sin((2 * Math.PI * 440 * 15) / 24000)));
      expect(fake.requests[0]).toMatchObject({ path: '/v1/audio/speech', bodyWrites: 5 });
      expect(fake.requests[0]?.json).toMatchObject({ input: 'Hello.', voice: 'alloy', response_format: 'pcm' });
    });

    it('returns exact scripted bytes, and a WAV header for response_format wav', async () => {
      fake.script.speech({ audio: new Uint8Array([1, 2, 3, 4]) }, { audio: new Uint8Array([5, 6]) });
      const pcm = await post(fake, '/v1/audio/speech', { model: 'tts-1', voice: 'nova', input: 'x', response_format: 'pcm' });
      expect([...new Uint8Array(await pcm.arrayBuffer())]).toEqual([1, 2, 3, 4]);
      const w = await post(fake, '/v1/audio/speech', { model: 'tts-1', voice: { id: 'voice_1' }, input: 'x', response_format: 'wav' });
      const bytes = Buffer.from(await w.arrayBuffer());
      expect(bytes.toString('ascii', 0, 4)).toBe('RIFF');
      expect(bytes.readUInt32LE(24)).toBe(24_000);
      expect([...bytes.subarray(44)]).toEqual([5, 6]);
    });

    it.each([
      ['input over 4096 characters', { input: 'a'.repeat(4097) }],
      ['unknown voice', { voice: 'robot' }],
      ['unknown model', { model: 'tts-2' }],
      ['instructions with tts-1', { model: 'tts-1', instructions: 'calm' }],
      ['speed out of range', { speed: 5 }],
    ])('rejects %s with 400', async (_name, patch) => {
      const res = await post(fake, '/v1/audio/speech', { model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'hi', response_format: 'pcm', ...patch });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).message).toEqual(expect.any(String));
    });

    it('accepts exactly 4096 characters', async () => {
      const res = await post(fake, '/v1/audio/speech', { model: 'tts-1', voice: 'alloy', input: 'a'.repeat(4096), response_format: 'pcm' });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    });

    it('sends scripted error statuses with retry-after', async () => {
      fake.script.speech({ status: 429, retryAfter: '1' });
      const res = await post(fake, '/v1/audio/speech', { model: 'tts-1', voice: 'alloy', input: 'x', response_format: 'pcm' });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect((await errorOf(res)).code).toBe('rate_limit_exceeded');
    });

    it('can drop the connection mid-audio', async () => {
      fake.script.speech({ toneMs: 100, chunks: 4, destroyAfterChunks: 2, chunkDelayMs: 10 });
      const res = await post(fake, '/v1/audio/speech', { model: 'tts-1', voice: 'alloy', input: 'x', response_format: 'pcm' });
      expect(res.status).toBe(200);
      await expect(res.arrayBuffer()).rejects.toThrow();
      await fake.settled();
      expect(fake.requests[0]).toMatchObject({ outcome: 'server-destroyed', bodyWrites: 2 });
    });

    it('serves stream_format sse as speech.audio.delta events', async () => {
      fake.script.speech({ audio: new Uint8Array([9, 8, 7, 6]), chunks: 2 });
      const res = await post(fake, '/v1/audio/speech', { model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'x', response_format: 'pcm', stream_format: 'sse' });
      const events = dataLines(await res.text()).map((l) => JSON.parse(l));
      expect(events.map((e) => e.type)).toEqual(['speech.audio.delta', 'speech.audio.delta', 'speech.audio.done']);
      expect(Buffer.concat(events.slice(0, 2).map((e) => Buffer.from(e.audio, 'base64')))).toEqual(Buffer.from([9, 8, 7, 6]));
    });
  });

  describe('audio transcriptions', () => {
    it('parses the multipart upload from the openai SDK and answers with a function of the audio', async () => {
      fake.script.transcription({ text: (file, fields) => `${file.filename} ${wavDurationSeconds(file.data)}s ${fields['language']}` });
      const client = new OpenAI({ apiKey: fake.apiKey, baseURL: fake.baseUrlOpenAi, maxRetries: 0, timeout: 5000 });
      const audio = wav(8000, 16000);
      const result = await client.audio.transcriptions.create({
        file: await toFile(audio, 'turn.wav', { type: 'audio/wav' }),
        model: 'whisper-1',
        language: 'en',
        prompt: 'names: Zoë',
      });
      expect(result.text).toBe('turn.wav 0.5s en');
      const form = fake.requests[0]?.form;
      expect(form?.files['file']?.data.equals(audio)).toBe(true);
      expect(form?.files['file']?.contentType).toBe('audio/wav');
      expect(form?.fields).toMatchObject({ model: 'whisper-1', language: 'en', prompt: 'names: Zoë' });
    });

    it('serves Groq whisper under /openai/v1 and response_format text', async () => {
      fake.script.transcription({ text: 'plain words' });
      const groq = new Groq({ apiKey: fake.apiKey, baseURL: fake.baseUrlGroq, maxRetries: 0, timeout: 5000 });
      const result = await groq.audio.transcriptions.create({
        file: await toFile(wav(1600, 16000), 'a.wav'),
        model: 'whisper-large-v3-turbo',
        response_format: 'text',
      });
      expect(String(result).trim()).toBe('plain words');
      expect(fake.requests[0]?.path).toBe('/openai/v1/audio/transcriptions');
    });

    it('rejects a missing model, an unsupported file type and a non-multipart body with 400', async () => {
      const noModel = new FormData();
      noModel.append('file', new Blob([wav(10, 8000)]), 'a.wav');
      const badType = new FormData();
      badType.append('file', new Blob([Buffer.from('x')]), 'a.txt');
      badType.append('model', 'whisper-1');
      for (const body of [noModel, badType]) {
        const res = await fetch(`${fake.baseUrlOpenAi}/audio/transcriptions`, { method: 'POST', headers: { authorization: 'Bearer test-key' }, body });
        expect(res.status).toBe(400);
        await res.json();
      }
      const json = await post(fake, '/v1/audio/transcriptions', { model: 'whisper-1' });
      expect(json.status).toBe(400);
      await json.json();
    });

    it('sends scripted error statuses', async () => {
      fake.script.transcription({ status: 503 });
      const form = new FormData();
      form.append('file', new Blob([wav(10, 8000)]), 'a.wav');
      form.append('model', 'whisper-1');
      const res = await fetch(`${fake.baseUrlOpenAi}/audio/transcriptions`, { method: 'POST', headers: { authorization: 'Bearer test-key' }, body: form });
      expect(res.status).toBe(503);
      expect((await errorOf(res)).type).toBe('server_error');
    });
  });

  it('answers unknown paths with 404', async () => {
    const res = await post(fake, '/v1/models/x', {});
    expect(res.status).toBe(404);
    await res.json();
  });
});
