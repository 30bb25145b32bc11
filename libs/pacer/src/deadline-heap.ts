/** An item that knows its slot, so updates and removals are O(log n) without a search. */
export interface HeapItem {
  dueAt: number;
  heapIndex: number; // -1 when not in the heap
}

/** Indexed binary min-heap on `dueAt`: the one shared timer wakes at `peek().dueAt`. */
export class DeadlineHeap<T extends HeapItem> {
  readonly #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  /** Inserts `item` or moves it to `dueAt`. */
  set(item: T, dueAt: number): void {
    const old = item.dueAt;
    item.dueAt = dueAt;
    if (item.heapIndex < 0) {
      item.heapIndex = this.#items.length;
      this.#items.push(item);
      this.#up(item.heapIndex);
    } else if (dueAt < old) {
      this.#up(item.heapIndex);
    } else if (dueAt > old) {
      this.#down(item.heapIndex);
    }
  }

  delete(item: T): void {
    const i = item.heapIndex;
    if (i < 0) return;
    const items = this.#items;
    const last = items.pop() as T;
    item.heapIndex = -1;
    if (last === item) return;
    items[i] = last;
    last.heapIndex = i;
    this.#up(i);
    this.#down(last.heapIndex);
  }

  #swap(a: number, b: number): void {
    const items = this.#items;
    const t = items[a];
    items[a] = items[b];
    items[b] = t;
    items[a].heapIndex = a;
    items[b].heapIndex = b;
  }

  #up(i: number): void {
    const items = this.#items;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent].dueAt <= items[i].dueAt) return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(i: number): void {
    const items = this.#items;
    const n = items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && items[l].dueAt < items[m].dueAt) m = l;
      if (r < n && items[r].dueAt < items[m].dueAt) m = r;
      if (m === i) return;
      this.#swap(i, m);
      i = m;
    }
  }
}
