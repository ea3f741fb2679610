import { expect, test } from 'vitest';
import { hello } from '../src/index.ts';
test('runs on node 24', () => {
  expect(process.versions.node.split('.')[0]).toBe('24');
  expect(hello()).toBe('roster');
});
