import { randomUUID } from 'node:crypto';
import {
  envelope,
  type GroupChanged,
  type OrganizationSettingsChanged,
  type StepOutcome,
  TOPICS,
  toKafkaRecord,
  type UserChanged,
  type UserSnapshot,
  WORKSPACES_COLLECTION,
  type WorkspaceChanged,
  type WorkspaceDocument,
} from '@roster/contracts';
import { createLogger, type Logger } from '@roster/service-kit';
import {
  userChanged as directoryChange,
  type EmbeddedInfra,
  startEmbeddedInfra,
  newTraceparent as traceparent,
} from '@roster/service-kit/testing';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import type { Db } from 'mongodb';
import type { MembershipConfig } from '../src/config.ts';

export {
  createOrganization,
  createProducer,
  PARTITIONS,
  snapshot,
  waitFor,
} from '@roster/service-kit/testing';

export const quietLog = (): Logger => createLogger('membership', process.env.LOG_LEVEL ?? 'silent');

export interface Infra extends EmbeddedInfra {
  config: MembershipConfig;
}

/** One embedded broker and store per suite, with plain kafkajs / mongodb clients for the test side. */
export const startInfra = async (): Promise<Infra> => {
  const infra = await startEmbeddedInfra('membership');
  return { ...infra, config: infra.baseConfig };
};

/** Inserts a workspace the way the admin API does. */
export const createWorkspace = async (
  db: Db,
  tenant: string,
  name: string,
  isDefault = false,
): Promise<WorkspaceDocument> => {
  const workspace: WorkspaceDocument = {
    _id: randomUUID(),
    tenant,
    name,
    isDefault,
    createdAt: new Date().toISOString(),
  };
  await db.collection<WorkspaceDocument>(WORKSPACES_COLLECTION).insertOne(workspace);
  return workspace;
};

/** Renames a workspace the way the admin API does. */
export const renameWorkspace = async (
  db: Db,
  workspace: WorkspaceDocument,
  name: string,
): Promise<WorkspaceDocument> => {
  await db
    .collection<WorkspaceDocument>(WORKSPACES_COLLECTION)
    .updateOne({ _id: workspace._id }, { $set: { name } });
  return { ...workspace, name };
};

/** A user change as the status service publishes it, awaiting membership. */
export const userChanged = (
  tenant: string,
  sequence: number,
  user: UserSnapshot,
  change: UserChanged['data']['change'] = sequence === 1 ? 'provisioned' : 'updated',
): UserChanged => directoryChange(tenant, sequence, user, change, ['membership']);

export const groupChanged = (
  tenant: string,
  sequence: number,
  group: GroupChanged['data']['group'],
  change: GroupChanged['data']['change'] = sequence === 1 ? 'created' : 'updated',
): GroupChanged =>
  envelope(
    'roster.directory.group.changed.v1',
    {
      source: '/roster/status',
      tenant,
      subject: group.id,
      correlationid: randomUUID(),
      traceparent: traceparent(),
    },
    { commandId: randomUUID(), change, sequence, group, awaits: ['membership'] },
  );

export const workspaceChanged = (
  workspace: WorkspaceDocument,
  change: WorkspaceChanged['data']['change'],
  previousName?: string,
): WorkspaceChanged =>
  envelope(
    'roster.org.workspace.changed.v1',
    {
      source: '/roster/ingress',
      tenant: workspace.tenant,
      subject: workspace._id,
      correlationid: randomUUID(),
    },
    {
      change,
      workspace: { id: workspace._id, name: workspace.name, isDefault: workspace.isDefault },
      ...(previousName === undefined ? {} : { previousName }),
    },
  );

export const produce = async (
  producer: Producer,
  topic: 'directoryChanges' | 'orgChanges',
  ...events: (UserChanged | GroupChanged | WorkspaceChanged | OrganizationSettingsChanged)[]
): Promise<void> => {
  await producer.send({ topic: TOPICS[topic].name, acks: -1, messages: events.map(toKafkaRecord) });
};

/** Collects every step outcome published during the suite. */
export interface OutcomeLog {
  outcomes: StepOutcome[];
  consumer: Consumer;
}

export const collectOutcomes = async (kafka: Kafka): Promise<OutcomeLog> => {
  const outcomes: StepOutcome[] = [];
  const consumer = kafka.consumer({
    groupId: `membership-test-${randomUUID()}`,
    sessionTimeout: 6_000,
    heartbeatInterval: 200,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.stepOutcomes.name, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.value) outcomes.push(JSON.parse(message.value.toString('utf8')) as StepOutcome);
    },
  });
  return { outcomes, consumer };
};
