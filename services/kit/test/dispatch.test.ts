import { envelope, type MessageOf } from '@roster/contracts';
import { describe, expect, test } from 'vitest';
import type { Delivery } from '../src/kafka/consume.ts';
import { byMessageType } from '../src/kafka/dispatch.ts';

const delivery = {} as Delivery;
const attributes = { source: '/roster/status', tenant: 'org-1', subject: 'g-1', correlationid: 'c-1' };
const groupChanged: MessageOf<'directoryChanges'> = envelope(
  'roster.directory.group.changed.v1',
  attributes,
  {
    commandId: 'c-1',
    change: 'created',
    sequence: 1,
    group: { id: 'g-1', displayName: 'Design', memberIds: [] },
    awaits: [],
  },
);

describe('one handler per message type', () => {
  test('a message goes to the handler of its type', async () => {
    const seen: string[] = [];
    const handle = byMessageType<'directoryChanges'>({
      'roster.directory.user.changed.v1': async (change) => void seen.push(`user ${change.data.user.id}`),
      'roster.directory.group.changed.v1': async (change) => void seen.push(`group ${change.data.group.id}`),
    });
    await handle(groupChanged, delivery);
    expect(seen).toEqual(['group g-1']);
  });

  test('a type without a handler is acknowledged and nothing else', async () => {
    const seen: string[] = [];
    const handle = byMessageType<'directoryChanges'>({
      'roster.directory.user.changed.v1': async (change) => void seen.push(change.id),
    });
    await expect(handle(groupChanged, delivery)).resolves.toBeUndefined();
    expect(seen).toEqual([]);
  });
});
