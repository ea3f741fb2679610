import { describe, expect, it } from 'vitest';
import { TenantQueue } from '../src/store/tenant-queue.ts';

/** A piece of work that runs until `finish` is called, recording when it started. */
const gate = () => {
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  return { finish, finished };
};

describe('work queued by organization', () => {
  it('work on an organization waits for earlier work on it; work on others does not', async () => {
    const queue = new TenantQueue();
    const started: string[] = [];
    const first = gate();
    const a1 = queue.holding(['org-a'], async () => {
      started.push('a1');
      await first.finished;
    });
    const a2 = queue.holding(['org-a'], async () => void started.push('a2'));
    const b = queue.holding(['org-b'], async () => void started.push('b'));
    await b;
    expect(started).toEqual(['a1', 'b']);
    first.finish();
    await Promise.all([a1, a2]);
    expect(started).toEqual(['a1', 'b', 'a2']);
  });

  it('work naming several organizations waits for each, and overlapping work never deadlocks', async () => {
    const queue = new TenantQueue();
    const order: string[] = [];
    const held = gate();
    const ab = queue.holding(['org-a', 'org-b'], async () => {
      order.push('ab');
      await held.finished;
    });
    const ba = queue.holding(['org-b', 'org-a'], async () => void order.push('ba'));
    const c = queue.holding(['org-c', 'org-a'], async () => void order.push('ca'));
    held.finish();
    await Promise.all([ab, ba, c]);
    expect(order).toEqual(['ab', 'ba', 'ca']);
  });

  it('a failed piece of work releases its organizations', async () => {
    const queue = new TenantQueue();
    await expect(
      queue.holding(['org-a'], async () => {
        throw new Error('transaction failed');
      }),
    ).rejects.toThrow('transaction failed');
    await expect(queue.holding(['org-a'], async () => 'next')).resolves.toBe('next');
  });
});
