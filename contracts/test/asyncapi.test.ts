import { Parser } from '@asyncapi/parser';
import { expect, test } from 'vitest';
import { buildAsyncApiDocument, TOPICS } from '../src/index.ts';

test('the generated AsyncAPI 3.0 document validates and lists every topic and message', async () => {
  const document = buildAsyncApiDocument('1.0.0');
  const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
  const errors = diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('.')}: ${d.message}`);
  expect(errors).toEqual([]);
  expect(parsed).toBeDefined();
  const addresses = parsed!
    .channels()
    .all()
    .map((c) => c.address());
  expect(addresses.sort()).toEqual(
    Object.values(TOPICS)
      .map((t) => t.name)
      .sort(),
  );
  const messageIds = parsed!
    .allMessages()
    .all()
    .map((m) => m.id());
  const expected = Object.values(TOPICS).flatMap((t) => t.messages.map((m) => String(m.$id)));
  expect(new Set(messageIds)).toEqual(new Set(expected));
});
