import { expect, test } from 'vitest';
import { FetchedTogether } from '../src/kafka/fetched-together.ts';

test('shares submitted in one turn are run together; a later turn runs on its own', async () => {
  const runs: number[][] = [];
  const together = new FetchedTogether<number>(async (shares) => void runs.push(shares));
  await Promise.all([together.submit(1), together.submit(2), together.submit(3)]);
  await together.submit(4);
  expect(runs).toEqual([[1, 2, 3], [4]]);
});

test('a run that fails rejects every share it took', async () => {
  const together = new FetchedTogether<number>(async () => {
    throw new Error('store refused');
  });
  const settled = await Promise.allSettled([together.submit(1), together.submit(2)]);
  expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
});
