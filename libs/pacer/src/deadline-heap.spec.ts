import { DeadlineHeap } from './deadline-heap';
import type { HeapItem } from './deadline-heap';
import { prng } from './recording-sink.spec-helper';

interface Item extends HeapItem {
  id: number;
}

describe('DeadlineHeap', () => {
  it('always peeks the earliest deadline under random insert/update/delete (against a linear scan)', () => {
    const rand = prng(11);
    const heap = new DeadlineHeap<Item>();
    const items: Item[] = Array.from({ length: 64 }, (_, id) => ({ id, dueAt: Infinity, heapIndex: -1 }));
    const inHeap = new Set<Item>();
    for (let step = 0; step < 4000; step++) {
      const item = items[Math.floor(rand() * items.length)];
      if (rand() < 0.25) {
        heap.delete(item);
        inHeap.delete(item);
      } else {
        heap.set(item, Math.floor(rand() * 1000));
        inHeap.add(item);
      }
      expect(heap.size).toBe(inHeap.size);
      const min = Math.min(...[...inHeap].map((i) => i.dueAt));
      expect(heap.peek()?.dueAt ?? Infinity).toBe(min);
    }
    for (const i of items) expect(i.heapIndex >= 0).toBe(inHeap.has(i));
  });

  it('drains in deadline order', () => {
    const heap = new DeadlineHeap<Item>();
    const due = [50, 10, 30, 10, 70, 0, 20];
    due.forEach((d, id) => heap.set({ id, dueAt: Infinity, heapIndex: -1 }, d));
    const out: number[] = [];
    for (let top = heap.peek(); top; top = heap.peek()) {
      out.push(top.dueAt);
      heap.delete(top);
    }
    expect(out).toEqual([...due].sort((a, b) => a - b));
  });
});
