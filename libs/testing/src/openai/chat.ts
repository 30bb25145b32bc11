import type { ScriptedResponse } from './scripted-response';
import type { ChatScript, RecordedRequest, ScriptedToolCall } from './types';

/** Cuts a reply at spaces, keeping each space with the following word, like a tokenizer's deltas. */
export function splitIntoDeltas(text: string): string[] {
  return text.match(/\s*\S+/g) ?? (text ? [text] : []);
}

function cutArguments(args: string): string[] {
  if (args.length <= 4) return [args];
  const third = Math.ceil(args.length / 3);
  return [args.slice(0, third), args.slice(third, 2 * third), args.slice(2 * third)].filter((s) => s.length > 0);
}

/** Body fields Groq rejects with 400 (https://console.groq.com/docs/openai). */
function groqViolation(body: Record<string, unknown>): string | undefined {
  for (const field of ['logprobs', 'logit_bias', 'top_logprobs']) {
    if (body[field] !== undefined && body[field] !== null) return `'${field}' is not supported`;
  }
  if (body['n'] !== undefined && body['n'] !== 1) return "'n' : number must be at most 1";
  const messages = body['messages'] as Array<Record<string, unknown>>;
  if (messages.some((m) => m['name'] !== undefined)) return "'messages.name' : property 'name' is unsupported";
  return undefined;
}

function validate(body: Record<string, unknown> | undefined, vendor: RecordedRequest['vendor']): string | undefined {
  if (!body) return 'We could not parse the JSON body of your request.';
  if (typeof body['model'] !== 'string' || body['model'] === '') return "you must provide a model parameter";
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return "'messages' must be a non-empty array";
  for (const m of messages as Array<Record<string, unknown>>) {
    if (!['system', 'user', 'assistant', 'tool', 'developer'].includes(String(m?.['role']))) return 'invalid message role';
  }
  return vendor === 'groq' ? groqViolation(body) : undefined;
}

interface Plan {
  deltas: readonly string[];
  calls: Array<ScriptedToolCall & { id: string; chunks: readonly string[] }>;
  finishReason: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

function plan(script: ChatScript, body: Record<string, unknown>, defaultReply: string): Plan {
  const deltas = script.deltas ?? (script.toolCalls ? [] : splitIntoDeltas(defaultReply));
  const calls = (script.toolCalls ?? []).map((c, i) => ({
    ...c,
    id: c.id ?? `call_fake_${i}`,
    chunks: c.argumentChunks ?? cutArguments(c.arguments),
  }));
  const prompt = script.usage?.promptTokens ?? Math.ceil(JSON.stringify(body['messages']).length / 4);
  const completion = script.usage?.completionTokens ?? deltas.length + calls.reduce((n, c) => n + c.chunks.length, 0);
  return {
    deltas,
    calls,
    finishReason: script.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop'),
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  };
}

/** Serves `POST .../chat/completions`: SSE chunks when `stream: true`, one JSON object otherwise. */
export async function serveChat(
  out: ScriptedResponse,
  record: RecordedRequest,
  script: ChatScript,
  defaultReply: string,
): Promise<void> {
  const body = record.json;
  const invalid = validate(body, record.vendor);
  if (invalid !== undefined || !body) {
    await out.sendError(400, { error: { message: invalid, type: 'invalid_request_error', param: null, code: null } });
    return;
  }
  if (await out.sendScriptedError()) return;
  const p = plan(script, body, defaultReply);
  const id = `chatcmpl-fake${record.index}`;
  const base = { id, created: 1694268190, model: body['model'], system_fingerprint: 'fp_fake' };
  if (body['stream'] !== true) {
    const message: Record<string, unknown> = { role: 'assistant', content: p.calls.length ? null : p.deltas.join('') };
    if (p.calls.length) {
      message['tool_calls'] = p.calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
    }
    const choice = { index: 0, message, logprobs: null, finish_reason: p.finishReason };
    await out.json(200, { ...base, object: 'chat.completion', choices: [choice], usage: p.usage });
    return;
  }
  await streamChat(out, record, script, body, p, base);
}

async function streamChat(
  out: ScriptedResponse,
  record: RecordedRequest,
  script: ChatScript,
  body: Record<string, unknown>,
  p: Plan,
  base: Record<string, unknown>,
): Promise<void> {
  const streamOptions = body['stream_options'] as { include_usage?: boolean } | undefined;
  const includeUsage = streamOptions?.include_usage === true;
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}): string =>
    JSON.stringify({
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      // With include_usage every chunk carries `usage: null` until the last one (OpenAI API reference).
      ...(includeUsage ? { usage: null } : {}),
      ...extra,
    });
  const events: string[] = [chunk({ role: 'assistant', content: '' }, null)];
  for (const d of p.deltas) events.push(chunk({ content: d }, null));
  p.calls.forEach((c, index) => {
    events.push(chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }, null));
    for (const frag of c.chunks) events.push(chunk({ tool_calls: [{ index, function: { arguments: frag } }] }, null));
  });
  // Groq reports usage in `x_groq.usage` on the last chunk (groq-sdk ChatCompletionChunk.x_groq).
  const groqExtra = record.vendor === 'groq' ? { x_groq: { id: `req_fake${record.index}`, usage: p.usage } } : {};
  events.push(chunk({}, p.finishReason, groqExtra));
  if (includeUsage) events.push(JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage: p.usage }));
  events.push('[DONE]');

  const headers = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' };
  if (!(await out.start(200, headers))) return;
  for (let i = 0; i < events.length; i++) {
    if (script.malformedAfterChunks === i) {
      if (await out.write(`data: {"id":"${String(base['id'])}","object":"chat.completion.chunk","choices":[{"delta":{"content":"oo\n\n`)) {
        await out.end();
      }
      return;
    }
    const line = `data: ${events[i]}\n\n`;
    const ok = script.splitEvents ? await out.writeSplit(line, Math.floor(line.length / 2)) : await out.write(line);
    if (!ok) return;
  }
  await out.end();
}
