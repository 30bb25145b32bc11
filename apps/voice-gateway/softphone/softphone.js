// The softphone: microphone → PCM16 16 kHz over WS /browser; agent audio back, played in order with Twilio-style
// marks (echoed once the audio before them has played; `clear` drops the queue at once and echoes what was pending);
// live transcript of both sides and a latency waterfall from the gateway's own measurements. Plain JS, no build.
'use strict';

const RATE = 16000;
/** Audio scheduled ahead when a reply starts after silence: absorbs socket and timer jitter. */
const START_LEAD_S = 0.06;
const $ = (id) => document.getElementById(id);

/** Plays PCM16 chunks back to back on one AudioContext and tracks where each mark falls on its clock. */
class Player {
  constructor(ctx, onMarkPlayed) {
    this.ctx = ctx;
    this.onMarkPlayed = onMarkPlayed;
    this.sources = new Set();
    this.marks = []; // { name, at } in ctx time, in order
    this.playHead = 0;
    this.timer = setInterval(() => this.echoDue(), 10);
  }

  enqueue(int16) {
    const buf = this.ctx.createBuffer(1, int16.length, RATE);
    const data = buf.getChannelData(0);
    for (let i = 0; i < int16.length; i++) data[i] = int16[i] / 32768;
    const src = this.ctx.createBufferSource();
    src.buffer = buf;
    src.connect(this.ctx.destination);
    const now = this.ctx.currentTime;
    if (this.playHead < now) this.playHead = now + START_LEAD_S;
    src.start(this.playHead);
    this.playHead += buf.duration;
    this.sources.add(src);
    src.onended = () => this.sources.delete(src);
  }

  /** The mark plays when everything queued before it has played. */
  mark(name) {
    this.marks.push({ name, at: Math.max(this.playHead, this.ctx.currentTime) });
    this.echoDue();
  }

  /** Stops every queued sound now; returns the marks that were still pending (echoed as flushed by the caller). */
  clear() {
    for (const src of this.sources) {
      src.onended = null;
      try { src.stop(); } catch { /* not started yet */ }
    }
    this.sources.clear();
    this.playHead = 0;
    const pending = this.marks.map((m) => m.name);
    this.marks = [];
    return pending;
  }

  echoDue() {
    const now = this.ctx.currentTime;
    while (this.marks.length > 0 && this.marks[0].at <= now) this.onMarkPlayed(this.marks.shift().name);
  }

  close() {
    clearInterval(this.timer);
    this.clear();
  }
}

/** Chat-style transcript; agent sentences are grey until their mark says they played, struck through if cut. */
class Transcript {
  constructor(list) {
    this.list = list;
    this.interim = null;
    this.turns = new Map(); // turnId → bubble
    this.sentences = new Map(); // mark → span
  }

  caller(text, final) {
    if (!this.interim) this.interim = this.bubble('caller', 'You');
    this.interim.lastChild.textContent = text;
    this.interim.classList.toggle('interim', !final);
    this.interim.classList.toggle('final', final);
    if (final) this.interim = null;
    this.scroll();
  }

  agent(turnId, text, mark) {
    let b = this.turns.get(turnId);
    if (!b) {
      b = this.bubble('agent', 'Agent');
      this.turns.set(turnId, b);
    }
    const s = document.createElement('span');
    s.className = 's queued';
    s.textContent = `${text} `;
    b.lastChild.append(s);
    this.sentences.set(mark, s);
    this.scroll();
  }

  /** A barge-in ended the turn: what had not played (no mark yet, or a mark the gateway never sent) was cut. */
  interrupted(turnId) {
    const b = this.turns.get(turnId);
    if (b) for (const s of b.querySelectorAll('.s.queued')) s.classList.replace('queued', 'cut');
  }

  markPlayed(mark, flushed) {
    const s = this.sentences.get(mark);
    if (!s) return;
    s.classList.remove('queued');
    if (flushed) s.classList.add('cut');
    this.sentences.delete(mark);
  }

  bubble(who, label) {
    const li = document.createElement('li');
    li.className = `msg ${who}`;
    const tag = document.createElement('span');
    tag.className = 'who';
    tag.textContent = label;
    li.append(tag, document.createElement('span'));
    this.list.append(li);
    return li;
  }

  scroll() {
    this.list.scrollTop = this.list.scrollHeight;
  }
}

const STAGES = [
  ['speechEnd', 'sttFinal', 'stt', 'STT'],
  ['sttFinal', 'llmFirstToken', 'llm', 'LLM'],
  ['llmFirstToken', 'ttsFirstAudio', 'tts', 'TTS'],
  ['ttsFirstAudio', 'firstFrame', 'send', 'send'],
];

/** One row per answered turn: the stages as bars on a shared time axis (ms from the caller's speech end). */
class Waterfall {
  constructor(list, summary) {
    this.list = list;
    this.summary = summary;
    this.rows = [];
  }

  add(turnId, ms) {
    if (ms.sttFinal === undefined) return; // the opening has no caller turn to measure from
    this.rows.push({ turnId, ms });
    this.render();
  }

  render() {
    const scale = Math.max(1000, ...this.rows.map((r) => r.ms.firstFrame));
    this.list.replaceChildren(...this.rows.map((r, i) => this.row(r, i + 1, scale)), this.axis(scale));
    const totals = this.rows.map((r) => r.ms.firstFrame).sort((a, b) => a - b);
    const median = totals[Math.floor((totals.length - 1) / 2)];
    this.summary.textContent = `median ${Math.round(median)} ms over ${totals.length} turn${totals.length === 1 ? '' : 's'}`;
  }

  /** Ticks at a round step (100, 250, 500 ms…) so that four to ten fit. */
  axis(scale) {
    const step = [100, 250, 500, 1000, 2000, 5000].find((s) => scale / s <= 8) || 10000;
    const li = document.createElement('li');
    li.className = 'axis';
    for (let t = 0; t <= scale; t += step) {
      const tick = document.createElement('span');
      tick.style.left = `${(t / scale) * 100}%`;
      tick.textContent = t === 0 ? '0' : `${t} ms`;
      if (t / scale > 0.9) tick.className = 'end';
      li.append(tick);
    }
    return li;
  }

  row({ ms }, n, scale) {
    const li = document.createElement('li');
    li.className = 'lat-row';
    const label = document.createElement('div');
    label.className = 'label';
    const parts = STAGES.filter(([a, b]) => ms[a] !== undefined && ms[b] !== undefined).map(([a, b, , name]) => `${name} ${Math.round(ms[b] - ms[a])}`);
    const left = document.createElement('span');
    left.textContent = `Turn ${n} · ${parts.join(' · ')}`;
    const total = document.createElement('b');
    total.textContent = `${Math.round(ms.firstFrame)} ms`;
    label.append(left, total);
    const track = document.createElement('div');
    track.className = 'track';
    for (const [a, b, cls, name] of STAGES) {
      if (ms[a] === undefined || ms[b] === undefined) continue;
      const seg = document.createElement('div');
      seg.className = `seg ${cls}`;
      seg.style.left = `${(ms[a] / scale) * 100}%`;
      seg.style.width = `${(Math.max(0, ms[b] - ms[a]) / scale) * 100}%`;
      seg.title = `${name}: ${(ms[b] - ms[a]).toFixed(1)} ms`;
      track.append(seg);
    }
    li.append(label, track);
    return li;
  }
}

/** One call: microphone, socket, player, views. */
class Call {
  constructor(ui) {
    this.ui = ui;
    this.stats = { framesIn: 0, framesOut: 0, marksEchoed: 0, clears: 0 };
    window.softphone = this; // for tests and the curious
  }

  async start() {
    this.ui.state('connecting', 'Connecting…');
    const res = await fetch('/softphone/token', { method: 'POST' });
    if (!res.ok) throw new Error(`token refused (HTTP ${res.status})`);
    const { token, path } = await res.json();
    this.ctx = new AudioContext({ sampleRate: RATE, latencyHint: 'interactive' });
    await this.ctx.resume(); // still inside the click's user activation: autoplay policies allow it
    await this.ctx.audioWorklet.addModule('/softphone/capture-worklet.js');
    this.mic = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(`${proto}//${location.host}${path}?token=${encodeURIComponent(token)}`);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.player = new Player(this.ctx, (name) => this.echo(name, false));
    ws.onmessage = (e) => this.onMessage(e.data);
    ws.onclose = (e) => this.ended(e.code === 1000 ? `Call ended${e.reason ? `: ${e.reason}` : ''}.` : `Disconnected (${e.code}${e.reason ? ` ${e.reason}` : ''}).`);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error('the gateway refused the connection'));
    });
    const source = this.ctx.createMediaStreamSource(this.mic);
    this.capture = new AudioWorkletNode(this.ctx, 'pcm16-capture');
    this.capture.port.onmessage = ({ data }) => {
      this.ui.level(data.peak);
      if (ws.readyState === WebSocket.OPEN) {
        ws.send(data.pcm);
        this.stats.framesOut++;
      }
    };
    // Through a muted gain to the destination, so the graph pulls the worklet.
    const mute = this.ctx.createGain();
    mute.gain.value = 0;
    source.connect(this.capture).connect(mute).connect(this.ctx.destination);
    this.ui.state('in-call', 'In call. Speak when the agent has finished.');
  }

  onMessage(data) {
    if (data instanceof ArrayBuffer) {
      this.stats.framesIn++;
      this.player.enqueue(new Int16Array(data));
      return;
    }
    const m = JSON.parse(data);
    switch (m.type) {
      case 'ready':
        this.ui.providers(m.providers);
        break;
      case 'mark':
        this.player.mark(m.name);
        break;
      case 'clear':
        this.stats.clears++;
        for (const name of this.player.clear()) this.echo(name, true);
        break;
      case 'caller':
        this.ui.transcript.caller(m.text, m.final);
        break;
      case 'agent':
        this.ui.transcript.agent(m.turnId, m.text, m.mark);
        break;
      case 'latency':
        this.ui.waterfall.add(m.turnId, m.ms);
        break;
      case 'turn-end':
        if (m.outcome === 'interrupted') this.ui.transcript.interrupted(m.turnId);
        break;
      default:
        break;
    }
  }

  echo(name, flushed) {
    this.ui.transcript.markPlayed(name, flushed);
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify({ type: 'mark', name }));
    this.stats.marksEchoed++;
  }

  dtmf(digit) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'dtmf', digit }));
  }

  hangup() {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send('{"type":"hangup"}');
    this.ended('Call ended.');
  }

  ended(text) {
    if (this.done) return;
    this.done = true;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) this.ws.close(1000);
    if (this.player) this.player.close();
    if (this.mic) for (const t of this.mic.getTracks()) t.stop();
    if (this.ctx) void this.ctx.close();
    this.ui.level(0);
    this.ui.state('ended', text);
  }
}

function main() {
  let call = null;
  const ui = {
    transcript: new Transcript($('transcript')),
    waterfall: new Waterfall($('waterfall'), $('latency-summary')),
    state(state, text) {
      document.body.dataset.state = state;
      $('status').textContent = text;
      $('call').disabled = state === 'connecting' || state === 'in-call';
      $('hangup').disabled = state !== 'in-call';
    },
    level(peak) {
      $('level').style.width = `${Math.min(100, Math.round(peak * 140))}%`;
    },
    providers(p) {
      $('providers').textContent = p ? `STT ${p.stt} · LLM ${p.llm} · TTS ${p.tts}` : '';
    },
  };
  $('call').addEventListener('click', () => {
    call = new Call(ui);
    call.start().catch((e) => {
      call.ended(`Could not start the call: ${e.message}`);
      document.body.dataset.state = 'error';
    });
  });
  $('hangup').addEventListener('click', () => call && call.hangup());
  for (const key of ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#']) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = key;
    b.addEventListener('click', () => call && call.dtmf(key));
    $('keypad').append(b);
  }
}

main();
