import { PushQueue } from './push-queue';

async function collect<T>(q: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of q) out.push(v);
  return out;
}

describe('PushQueue', () => {
  it('delivers pushed items in order to a waiting consumer and ends after end()', async () => {
    const q = new PushQueue<number>();
    const all = collect(q);
    q.push(1);
    await Promise.resolve();
    q.push(2);
    q.push(3);
    q.end();
    expect(q.push(4)).toBe(false);
    expect(await all).toEqual([1, 2, 3]);
  });

  it('drops the oldest beyond its bound and counts them', async () => {
    const q = new PushQueue<number>(3);
    for (let i = 0; i < 5; i++) q.push(i);
    q.end();
    expect(await collect(q)).toEqual([2, 3, 4]);
    expect(q.dropped).toBe(2);
  });

  it('a consumer that breaks ends the queue', async () => {
    const q = new PushQueue<number>();
    q.push(1);
    q.push(2);
    for await (const _ of q) break;
    expect(q.isEnded).toBe(true);
  });
});
