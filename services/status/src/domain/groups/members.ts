import type { PatchOperation } from '@roster/contracts';
import type { GroupCommand } from './decide.ts';

const memberValues = (value: unknown): string[] => {
  const items = Array.isArray(value) ? value : [value];
  return items.flatMap((item) =>
    item && typeof item === 'object' && typeof (item as { value?: unknown }).value === 'string'
      ? [(item as { value: string }).value]
      : [],
  );
};

const addedByOperation = (op: PatchOperation): string[] =>
  op.op !== 'remove' && op.path.attribute === 'members' && !op.path.subAttribute
    ? memberValues(op.value)
    : [];

/** User ids a group command would add as members: the shell checks they exist before deciding. */
export const referencedMemberIds = (command: GroupCommand): string[] => {
  switch (command.type) {
    case 'roster.command.group.create.v1':
    case 'roster.command.group.replace.v1':
      return command.data.group.members.map((m) => m.value);
    case 'roster.command.group.patch.v1':
      return command.data.operations.flatMap(addedByOperation);
    case 'roster.command.group.delete.v1':
      return [];
  }
};
