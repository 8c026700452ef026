import type { Clock } from '@vigil/core';

interface Entry {
  due: number;
  order: number;
  run: () => void;
  cancelled: boolean;
}

export interface Scheduler {
  /** Runs `task` once at clock time `due`; returns a cancel function. */
  at(due: number, task: () => void): () => void;
  /** Runs `task` every `everyMs` from `first` on, without drift; returns a cancel function. */
  every(first: number, everyMs: number, task: (due: number) => void): () => void;
  readonly pending: number;
  close(): void;
}

// Tasks due together run in slices so that 10 000 devices ticking at once do not starve the event loop.
const SLICE = 500;

/**
 * One timer for a whole fleet: a binary min-heap of due times behind a single setTimeout. A fleet of
 * thousands of devices then costs one timer, not one setInterval per device.
 */
export function createScheduler(clock: Clock, onError: (err: unknown) => void): Scheduler {
  const heap: Entry[] = [];
  let order = 0;
  let timer: NodeJS.Timeout | undefined;
  let timerDue = Infinity;
  let closed = false;

  const before = (a: Entry, b: Entry) => a.due < b.due || (a.due === b.due && a.order < b.order);
  const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j] as Entry, heap[i] as Entry]);
  function push(entry: Entry): void {
    heap.push(entry);
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i] as Entry, heap[parent] as Entry)) break;
      swap(i, parent);
      i = parent;
    }
  }
  function pop(): Entry | undefined {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length && last) {
      heap[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let min = i;
        if (l < heap.length && before(heap[l] as Entry, heap[min] as Entry)) min = l;
        if (r < heap.length && before(heap[r] as Entry, heap[min] as Entry)) min = r;
        if (min === i) break;
        swap(i, min);
        i = min;
      }
    }
    return top;
  }

  function arm(): void {
    while (heap.length && heap[0]?.cancelled) pop();
    const next = heap[0];
    if (closed || !next || next.due >= timerDue) return;
    if (timer) clearTimeout(timer);
    timerDue = next.due;
    timer = setTimeout(fire, Math.max(0, next.due - clock.now()));
  }

  function fire(): void {
    timer = undefined;
    timerDue = Infinity;
    const now = clock.now();
    for (let n = 0; n < SLICE && heap.length && (heap[0] as Entry).due <= now; n++) {
      const entry = pop() as Entry;
      if (entry.cancelled) continue;
      try {
        entry.run();
      } catch (err) {
        onError(err);
      }
    }
    if (heap.length && (heap[0] as Entry).due <= now && !closed) {
      timerDue = now;
      timer = setTimeout(fire, 0);
    } else arm();
  }

  function at(due: number, run: () => void): () => void {
    const entry: Entry = { due, order: order++, run, cancelled: false };
    if (closed) return () => undefined;
    push(entry);
    arm();
    return () => void (entry.cancelled = true);
  }

  return {
    at,
    every(first, everyMs, task) {
      let cancel = () => undefined as void;
      let stopped = false;
      const schedule = (due: number) => {
        cancel = at(due, () => {
          if (stopped) return;
          // After a stall (a blocked event loop) skip missed ticks instead of bursting to catch up.
          const behind = clock.now() - due;
          schedule(due + everyMs * Math.max(1, Math.ceil(behind / everyMs)));
          task(due);
        });
      };
      schedule(first);
      return () => {
        stopped = true;
        cancel();
      };
    },
    get pending() {
      return heap.filter((e) => !e.cancelled).length;
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      heap.length = 0;
    },
  };
}
