import { describe, expect, test } from 'vitest';
import { childTraceparent, formatTraceparent, parseTraceparent, traceIdOf } from '../src/trace.ts';

const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('W3C trace context', () => {
  test('a child keeps the trace id and flags and gets a new span id', () => {
    const child = childTraceparent(PARENT);
    const parsed = parseTraceparent(child)!;
    expect(parsed.traceId).toBe(traceIdOf(PARENT));
    expect(parsed.flags).toBe('01');
    expect(parsed.spanId).not.toBe(parseTraceparent(PARENT)!.spanId);
  });

  test('without a valid parent a new sampled trace starts', () => {
    for (const invalid of [
      undefined,
      'garbage',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      `ff${PARENT.slice(2)}`,
    ]) {
      const root = parseTraceparent(childTraceparent(invalid));
      expect(root).toBeDefined();
      expect(root!.flags).toBe('01');
    }
  });

  test('span and trace ids stay distinct and well-formed across many ids (the random pool refills)', () => {
    const spans = new Set<string>();
    const traces = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const child = parseTraceparent(childTraceparent(PARENT))!;
      const root = parseTraceparent(childTraceparent(undefined))!;
      spans.add(child.spanId).add(root.spanId);
      traces.add(root.traceId);
    }
    expect(spans.size).toBe(4_000);
    expect(traces.size).toBe(2_000);
  });

  test('formatting is the inverse of parsing', () => {
    expect(formatTraceparent(parseTraceparent(PARENT)!)).toBe(PARENT);
  });
});
