import { PlaybackTracker } from './playback-tracker';

describe('PlaybackTracker', () => {
  it('a reply finishes on the echo of its last mark, not when its audio was sent', () => {
    const t = new PlaybackTracker();
    const turn = t.begin('t1');
    const a = turn.addSentence('Hello.');
    const b = turn.addSentence('How are you?');
    turn.complete = true;
    t.markSent(a.mark, 100);
    t.markSent(b.mark, 200);
    expect(turn.finished()).toBe(false);
    expect(t.onEcho(a.mark, 150)).toMatchObject({ roundTripMs: 50 });
    expect(turn.finished()).toBe(false);
    t.onEcho(b.mark, 260);
    expect(turn.finished()).toBe(true);
    expect(turn.playedText()).toBe('Hello. How are you?');
    expect(t.size).toBe(0);
  });

  it('after a clear, echoes are "flushed" and unsent marks "dropped"; the played text is what echoed before', () => {
    const t = new PlaybackTracker();
    const turn = t.begin('t2');
    const [a, b, c] = ['One.', 'Two.', 'Three.'].map((s) => turn.addSentence(s));
    t.markSent(a!.mark, 0);
    t.onEcho(a!.mark, 10);
    t.markSent(b!.mark, 20);
    expect(t.clear(turn, [c!.mark])).toBe('One.');
    expect(turn.finished()).toBe(false); // b's echo is still due
    t.onEcho(b!.mark, 30);
    expect([a, b, c].map((s) => s!.state)).toEqual(['played', 'flushed', 'dropped']);
    expect(turn.finished()).toBe(true);
    expect(turn.playedText()).toBe('One.');
  });

  it('ignores unknown, malformed and repeated mark names', () => {
    const t = new PlaybackTracker();
    const turn = t.begin('t3');
    const a = turn.addSentence('Hi.');
    t.markSent(a.mark, 0);
    for (const name of ['', 'nope', 't9:0', 't3:7', 't3:x', ':0']) expect(t.onEcho(name, 1)).toBeUndefined();
    expect(t.onEcho(a.mark, 1)).toBeDefined();
    expect(t.onEcho(a.mark, 2)).toBeUndefined();
  });
});
