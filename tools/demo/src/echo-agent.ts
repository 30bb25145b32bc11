import { createServer, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { concatBytes } from '@voice/audio-codec';
import { Pacer, type PacedStream } from '@voice/pacer';
import { parseInbound, serializeClear, serializeMark, serializeMedia } from '@voice/twilio-protocol';
import { EnergyVad } from './energy-vad';

/** What the demo agent measured for one reply (times from performance.now()). */
export interface TurnRecord {
  turn: number;
  callerEndAt: number;
  firstFrameAt: number | undefined;
  bytes: number;
  marks: string[];
  bargeIn: { onsetAt: number; clearAt: number; droppedMs: number } | undefined;
}

export interface EchoAgent {
  readonly url: string;
  readonly turns: TurnRecord[];
  readonly errors: string[];
  close(): Promise<void>;
}

/**
 * The demo's "agent": it parrots each caller utterance back in two paced segments with a mark after each, and
 * stops talking (pacer.clear() + Twilio `clear`) the moment the caller speaks over it. Built only from the libs:
 * twilio-protocol (parse/serialize), audio-codec (μ-law), pacer (20 ms deadline cadence, marks, jitter buffer).
 */
export async function startEchoAgent(o: { pacer?: Pacer } = {}): Promise<EchoAgent> {
  const pacer = o.pacer ?? new Pacer();
  const turns: TurnRecord[] = [];
  const errors: string[] = [];
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server, path: '/ws', maxPayload: 64 * 1024 });
  wss.on('connection', (ws) => handleCall(ws, pacer, turns, errors));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    turns,
    errors,
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!o.pacer) pacer.close();
    },
  };
}

function handleCall(ws: WebSocket, pacer: Pacer, turns: TurnRecord[], errors: string[]): void {
  const vad = new EnergyVad();
  let streamSid = '';
  let stream: PacedStream | undefined;
  let utterance: Uint8Array[] = [];
  let speaking: TurnRecord | undefined; // the reply being played, until its last mark echoes
  let pendingMarks = new Set<string>();

  const reply = () => {
    const audio = concatBytes(utterance);
    utterance = [];
    if (!stream || audio.length < 160) return;
    const turn: TurnRecord = { turn: turns.length + 1, callerEndAt: performance.now(), firstFrameAt: undefined, bytes: audio.length, marks: [], bargeIn: undefined };
    turns.push(turn);
    speaking = turn;
    const half = Math.floor(audio.length / 320) * 160;
    for (const [i, part] of [audio.subarray(0, half), audio.subarray(half)].entries()) {
      if (part.length === 0) continue;
      stream.enqueue(part);
      const name = `turn-${turn.turn}-part-${i + 1}`;
      stream.mark(name);
      pendingMarks.add(name);
      turn.marks.push(name);
    }
    stream.endOfReply();
  };

  ws.on('message', (data, isBinary) => {
    const parsed = parseInbound(data, { isBinary });
    if (!parsed.ok) {
      errors.push(parsed.error.code);
      return;
    }
    const m = parsed.message;
    switch (m.event) {
      case 'start': {
        streamSid = m.start.streamSid;
        stream = pacer.add(
          {
            sendMedia: (frame) => {
              if (speaking && speaking.firstFrameAt === undefined) speaking.firstFrameAt = performance.now();
              ws.send(serializeMedia(streamSid, frame));
            },
            sendMark: (name) => ws.send(serializeMark(streamSid, name)),
          },
          { id: m.start.callSid },
        );
        break;
      }
      case 'media': {
        const event = vad.push(m.audio);
        if (event === 'onset' && speaking && stream) {
          // Barge-in: drop what is queued here and at Twilio, at once (never waits for a pacer tick).
          const onsetAt = performance.now();
          const dropped = stream.clear();
          ws.send(serializeClear(streamSid));
          speaking.bargeIn = { onsetAt, clearAt: performance.now(), droppedMs: dropped.droppedMs };
          speaking = undefined;
          pendingMarks = new Set();
        }
        if (vad.speaking || event === 'end') utterance.push(m.audio);
        if (event === 'end') reply();
        break;
      }
      case 'mark': {
        pendingMarks.delete(m.mark.name);
        if (pendingMarks.size === 0) speaking = undefined; // the last echo, not the last send, ends the turn
        break;
      }
      case 'stop':
        ws.close(1000);
        break;
      default:
        break;
    }
  });
  ws.on('close', () => stream?.close());
  ws.on('error', (e) => errors.push(e.message));
}
