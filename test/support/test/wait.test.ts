import { describe, expect, test } from 'vitest';
import { waitFor } from '../src/index.ts';

describe('waitFor', () => {
  test('resolves with the first truthy value', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls === 3 ? { calls } : undefined), { intervalMs: 1 });
    expect(value).toEqual({ calls: 3 });
  });

  test('keeps polling through errors', async () => {
    let calls = 0;
    const value = await waitFor(
      async () => {
        if (++calls < 3) throw new Error('not yet');
        return 'ready';
      },
      { intervalMs: 1 },
    );
    expect(value).toBe('ready');
  });

  test('fails after the timeout naming what it waited for and the last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('still down');
        },
        { timeoutMs: 20, intervalMs: 5, what: 'the server' },
      ),
    ).rejects.toThrow('timed out after 20 ms waiting for the server: Error: still down');
  });
});
