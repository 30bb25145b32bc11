import { type EndpointEvent, Endpointer } from './endpointer';

const run = (ep: Endpointer, pattern: string): Array<[number, EndpointEvent]> => {
  const out: Array<[number, EndpointEvent]> = [];
  [...pattern].forEach((c, i) => {
    const ev = ep.push(c === '#');
    if (ev) out.push([i, ev]);
  });
  return out;
};

describe('Endpointer', () => {
  it('declares an onset after onsetMs of consecutive speech, stamped at the start of the run', () => {
    const ep = new Endpointer({ frameMs: 20, onsetMs: 60, hangoverMs: 100 });
    // frames 0-2 silence, a 2-frame blip (too short), then speech from frame 7
    expect(run(ep, '...##..####')).toEqual([[9, { type: 'onset', atMs: 140 }]]);
    expect(ep.speaking).toBe(true);
    expect(ep.timeMs).toBe(220);
  });

  it('declares an offset after hangoverMs of non-speech, stamped at the end of the last speech frame', () => {
    const ep = new Endpointer({ frameMs: 20, onsetMs: 20, hangoverMs: 100 });
    // short gaps (< 5 frames) inside speech do not end it
    expect(run(ep, '#..#...#.....')).toEqual([
      [0, { type: 'onset', atMs: 0 }],
      [12, { type: 'offset', atMs: 160 }],
    ]);
    expect(ep.speaking).toBe(false);
  });

  it('rounds durations up to whole frames and resets', () => {
    const ep = new Endpointer({ frameMs: 30, onsetMs: 50, hangoverMs: 70 });
    expect(run(ep, '.##...')).toEqual([
      [2, { type: 'onset', atMs: 30 }],
      [5, { type: 'offset', atMs: 90 }],
    ]);
    ep.reset();
    expect(ep.timeMs).toBe(0);
    expect(run(ep, '##')).toEqual([[1, { type: 'onset', atMs: 0 }]]);
  });
});
