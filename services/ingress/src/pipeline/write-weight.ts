import type { Command, PatchOperation } from '@roster/contracts';
import { equalityAlternatives } from '@roster/scim';

/** Member ids one normalized group PATCH operation names (a removal by value filter: its `value eq`s). */
const membersNamedBy = ({ path, value }: PatchOperation): number => {
  if (path.attribute !== 'members') return 0;
  if (path.valueFilter) return equalityAlternatives(path.valueFilter)?.values.length ?? 1;
  return Array.isArray(value) ? value.length : 1;
};

/**
 * What a command costs the pipeline, in changes: 1 for the resource, plus 1 per group member it
 * names. Each member added or removed is a membership write, a user outcome and a lifecycle event
 * downstream: a PATCH of 100 members costs the pipeline about 20 user creates.
 */
export const writeWeight = (command: Command): number => {
  switch (command.type) {
    case 'roster.command.group.create.v1':
    case 'roster.command.group.replace.v1':
      return 1 + command.data.group.members.length;
    case 'roster.command.group.patch.v1':
      return command.data.operations.reduce((sum, operation) => sum + membersNamedBy(operation), 1);
    default:
      return 1;
  }
};
