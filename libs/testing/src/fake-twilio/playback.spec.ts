import { FakeClock } from '../fake-clock';
import { TWILIO_MAX_BUFFERED_BYTES, TwilioPlayback } from './playback';

function setup() {
  const clock = new FakeClock();
  const echoes: Array<{ name: string; flushed: boolean; at: number }> = [];
  const playback = new TwilioPlayback((name, flushed) => echoes.push({ name, flushed, at: clock.now() }), clock);
  return { clock, echoes, playback };
}

const bytes = (n: number, seed = 0) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

describe('TwilioPlayback (fake clock)', () => {
  it('echoes a mark at once when nothing is buffered', () => {
    const { echoes, playback } = setup();
    playback.enqueueMark('empty');
    expect(echoes).toEqual([{ name: 'empty', flushed: false, at: 0 }]);
  });

  it('echoes a mark exactly when the audio queued before it has played at 8000 B/s', () => {
    const { clock, echoes, playback } = setup();
    playback.enqueueAudio(bytes(800)); // 100 ms
    playback.enqueueMark('a');
    playback.enqueueAudio(bytes(320)); // 40 ms more
    playback.enqueueMark('b');
    clock.advance(99);
    expect(echoes).toEqual([]);
    clock.advance(1);
    expect(echoes).toEqual([{ name: 'a', flushed: false, at: 100 }]);
    clock.advance(40);
    expect(echoes.map((e) => [e.name, e.at])).toEqual([
      ['a', 100],
      ['b', 140],
    ]);
    expect(playback.bufferedBytes()).toBe(0);
    expect(playback.playedAudio()).toHaveLength(1120);
  });

  it('plays audio progressively and restarts the play clock after the buffer ran dry', () => {
    const { clock, echoes, playback } = setup();
    const first = bytes(800, 1);
    playback.enqueueAudio(first);
    clock.advance(50);
    expect(Array.from(playback.playedAudio())).toEqual(Array.from(first.subarray(0, 400)));
    expect(playback.bufferedBytes()).toBe(400);
    clock.advance(250); // idle from t=100 to t=300
    playback.enqueueAudio(bytes(160));
    playback.enqueueMark('late');
    clock.advance(19);
    expect(echoes).toEqual([]);
    clock.advance(1);
    expect(echoes).toEqual([{ name: 'late', flushed: false, at: 320 }]);
  });

  it('on clear drops the audio and echoes every queued mark in order, flushed', () => {
    const { clock, echoes, playback } = setup();
    const a = bytes(1600, 3);
    playback.enqueueAudio(a);
    playback.enqueueMark('x');
    playback.enqueueAudio(bytes(1600));
    playback.enqueueMark('y');
    clock.advance(50);
    playback.clear();
    expect(echoes).toEqual([
      { name: 'x', flushed: true, at: 50 },
      { name: 'y', flushed: true, at: 50 },
    ]);
    expect(Array.from(playback.playedAudio())).toEqual(Array.from(a.subarray(0, 400)));
    expect(playback.clearedBytes()).toBe(3200 - 400);
    expect(playback.bufferedBytes()).toBe(0);
    clock.advance(1000);
    expect(echoes).toHaveLength(2); // the cancelled mark timer never fires
    playback.enqueueMark('after');
    expect(echoes[2]).toEqual({ name: 'after', flushed: false, at: 1050 });
  });

  it('refuses more than 10 minutes of buffered audio (Twilio 31931)', () => {
    const { playback } = setup();
    expect(playback.enqueueAudio(new Uint8Array(TWILIO_MAX_BUFFERED_BYTES))).toBe(true);
    expect(playback.enqueueAudio(new Uint8Array(1))).toBe(false);
    expect(playback.bufferedBytes()).toBe(TWILIO_MAX_BUFFERED_BYTES);
  });

  it('stop releases the mark timer and echoes nothing more', () => {
    const { clock, echoes, playback } = setup();
    playback.enqueueAudio(bytes(160));
    playback.enqueueMark('never');
    expect(clock.pendingCount).toBe(1);
    playback.stop();
    expect(clock.pendingCount).toBe(0);
    clock.advance(100);
    expect(echoes).toEqual([]);
  });
});
