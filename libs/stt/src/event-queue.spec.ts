import { EventQueue } from './event-queue';

describe('EventQueue', () => {
  it('delivers pushed items in order to a waiting or later consumer, then ends', async () => {
    const q = new EventQueue<number>();
    const first = q.next();
    q.push(1);
    q.push(2);
    q.end();
    q.push(3); // ignored after end
    expect(await first).toEqual({ value: 1, done: false });
    const rest: number[] = [];
    for await (const v of q) rest.push(v);
    expect(rest).toEqual([2]);
  });

  it('throws the failure after the queued items', async () => {
    const q = new EventQueue<string>();
    q.push('a');
    q.fail(new Error('boom'));
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const v of q) seen.push(v);
      })(),
    ).rejects.toThrow('boom');
    expect(seen).toEqual(['a']);
  });

  it('wakes a waiting consumer on fail', async () => {
    const q = new EventQueue<string>();
    const p = q.next();
    q.fail(new Error('x'));
    await expect(p).rejects.toThrow('x');
  });
});
