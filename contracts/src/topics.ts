import type { TObject } from '@sinclair/typebox';
import { CommandResult } from './command-results.ts';
import { COMMANDS } from './commands.ts';
import { DeadLetter } from './dead-letter.ts';
import { DIRECTORY_CHANGES } from './directory-changes.ts';
import { LIFECYCLE_EVENTS } from './lifecycle.ts';
import { ORG_CHANGES } from './org-changes.ts';
import { StepOutcome } from './outcomes.ts';

export type ServiceName =
  | 'ingress'
  | 'status'
  | 'licensing'
  | 'membership'
  | 'content-transfer'
  | 'downstream';

export interface TopicSpec {
  name: string;
  description: string;
  messages: readonly TObject[];
  producers: readonly ServiceName[];
  consumers: readonly ServiceName[];
  /** How the Kafka message key is built; the same key always lands on the same partition, in order. */
  key: string;
  retentionMs: number;
  partitions: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The topic catalogue. Keys are `${tenant}:${subject}` so every message about one user (or one
 * group) lands on one partition, in publish order. Topic names carry the contract's major version.
 */
export const TOPICS = {
  scimCommands: {
    name: 'roster.scim-commands.v1',
    description: 'Normalized SCIM writes from the ingress, one command per SCIM call.',
    messages: COMMANDS,
    producers: ['ingress'],
    consumers: ['status'],
    key: 'tenant:subject (user or group id)',
    retentionMs: 7 * DAY,
    partitions: 12,
  },
  directoryChanges: {
    name: 'roster.directory-changes.v1',
    description:
      'Accepted directory changes (user snapshots, group member deltas), fanned out to the step consumers.',
    messages: DIRECTORY_CHANGES,
    producers: ['status'],
    consumers: ['licensing', 'membership', 'content-transfer'],
    key: 'tenant:subject (user or group id)',
    retentionMs: 7 * DAY,
    partitions: 12,
  },
  stepOutcomes: {
    name: 'roster.step-outcomes.v1',
    description: 'What each consumer step did for each directory change.',
    messages: [StepOutcome],
    producers: ['licensing', 'membership', 'content-transfer'],
    consumers: ['status'],
    key: 'tenant:subject (user or group id)',
    retentionMs: 7 * DAY,
    partitions: 12,
  },
  commandResults: {
    name: 'roster.command-results.v1',
    description:
      'Folded result of each command, read by every ingress replica to answer the waiting SCIM call.',
    messages: [CommandResult],
    producers: ['status'],
    consumers: ['ingress'],
    key: 'tenant:subject (user or group id)',
    retentionMs: 1 * HOUR,
    partitions: 12,
  },
  lifecycle: {
    name: 'roster.lifecycle.v1',
    description:
      'Public lifecycle events for downstream services: exactly one per real change, in order per user.',
    messages: LIFECYCLE_EVENTS,
    producers: ['status'],
    consumers: ['downstream'],
    key: 'tenant:subject (user id)',
    retentionMs: 30 * DAY,
    partitions: 12,
  },
  orgChanges: {
    name: 'roster.org-changes.v1',
    description: 'Workspaces created or renamed and organization settings changed through the admin API.',
    messages: ORG_CHANGES,
    producers: ['ingress'],
    consumers: ['membership', 'licensing', 'content-transfer'],
    key: 'tenant:subject (workspace or organization id)',
    retentionMs: 30 * DAY,
    partitions: 3,
  },
  deadLetter: {
    name: 'roster.dead-letter.v1',
    description: 'Messages a consumer could not accept, parked with their origin for inspection and replay.',
    messages: [DeadLetter],
    producers: ['status', 'licensing', 'membership', 'content-transfer', 'ingress'],
    consumers: [],
    key: 'the original message key',
    retentionMs: 30 * DAY,
    partitions: 3,
  },
} as const satisfies Record<string, TopicSpec>;

export type TopicKey = keyof typeof TOPICS;

export const partitionKey = (tenant: string, subject: string): string => `${tenant}:${subject}`;
