import { isScimError, planGroupPatch } from '@roster/scim';
import type { GroupCommand } from './decide.ts';

const planned = (command: Extract<GroupCommand, { type: 'roster.command.group.patch.v1' }>): string[] => {
  try {
    const { members } = planGroupPatch(command.data.operations);
    return [...members.added, ...members.removed];
  } catch (err) {
    if (!isScimError(err)) throw err;
    return []; // the decision refuses the PATCH with the same error
  }
};

/**
 * The user ids a group command names as members: the shell reads which of them exist as users
 * and which are members of the group already, and nothing else of the group's members.
 */
export const referencedMemberIds = (command: GroupCommand): string[] => {
  switch (command.type) {
    case 'roster.command.group.create.v1':
    case 'roster.command.group.replace.v1':
      return command.data.group.members.map((m) => m.value);
    case 'roster.command.group.patch.v1':
      return planned(command);
    case 'roster.command.group.delete.v1':
      return [];
  }
};
