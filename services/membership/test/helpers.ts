import { randomUUID } from 'node:crypto';
import {
  envelope,
  type GroupChanged,
  type GroupChangedV1,
  type GroupMembersChange,
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
import {
  connectMongo,
  createKafka,
  createLogger,
  createPublisher,
  ensureTopics,
  type Logger,
  type MongoHandle,
  type Publisher,
} from '@roster/service-kit';
import {
  collectOutcomes,
  userChanged as directoryChange,
  type EmbeddedInfra,
  startEmbeddedInfra,
  newTraceparent as traceparent,
  waitFor,
} from '@roster/service-kit/testing';
import type { Kafka, Producer } from 'kafkajs';
import type { Db } from 'mongodb';
import type { MembershipConfig } from '../src/config.ts';

export const quietLog = (): Logger => createLogger('membership', process.env.LOG_LEVEL ?? 'silent');

export interface Infra extends EmbeddedInfra {
  config: MembershipConfig;
}

/** One embedded broker and store per suite, with plain kafkajs / mongodb clients for the test side. */
export const startInfra = async (): Promise<Infra> => {
  const infra = await startEmbeddedInfra('membership');
  return { ...infra, config: { ...infra.baseConfig, sessionTimeout: 6_000, heartbeatInterval: 200 } };
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

/** The members a POST, a PUT or a PATCH `replace` sets (and a deletion: none). */
export const replaced = (memberIds: string[]): GroupMembersChange => ({ kind: 'replaced', memberIds });

/** The members a PATCH adds and removes. */
export const delta = (added: string[], removed: string[] = []): GroupMembersChange => ({
  kind: 'delta',
  added,
  removed,
});

const fromStatus = (tenant: string, groupId: string) => ({
  source: '/roster/status',
  tenant,
  subject: groupId,
  correlationid: randomUUID(),
  traceparent: traceparent(),
});

/** A group change as the status service publishes it (`memberCount` is not read by membership). */
export const groupChanged = (
  tenant: string,
  sequence: number,
  group: { id: string; displayName: string },
  members: GroupMembersChange,
  change: GroupChanged['data']['change'] = sequence === 1 ? 'created' : 'updated',
): GroupChanged =>
  envelope('roster.directory.group.changed.v2', fromStatus(tenant, group.id), {
    commandId: randomUUID(),
    change,
    sequence,
    group: { ...group, memberCount: members.kind === 'replaced' ? members.memberIds.length : 0 },
    members,
    awaits: ['membership'],
  });

/** A group change as the status service published it before members travelled as deltas. */
export const groupChangedV1 = (
  tenant: string,
  sequence: number,
  group: GroupChangedV1['data']['group'],
  change: GroupChangedV1['data']['change'] = sequence === 1 ? 'created' : 'updated',
): GroupChangedV1 =>
  envelope('roster.directory.group.changed.v1', fromStatus(tenant, group.id), {
    commandId: randomUUID(),
    change,
    sequence,
    group,
    awaits: ['membership'],
  });

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
  ...events: (UserChanged | GroupChanged | GroupChangedV1 | WorkspaceChanged | OrganizationSettingsChanged)[]
): Promise<void> => {
  await producer.send({ topic: TOPICS[topic].name, acks: -1, messages: events.map(toKafkaRecord) });
};

/** Every step outcome published during the suite, looked up by correlation id. */
export interface OutcomeLog {
  /** The outcomes correlated with `correlationid` so far. */
  of(correlationid: string): StepOutcome[];
  /** Waits until `count` outcomes correlated with `correlationid` arrived (more may still come). */
  wait(correlationid: string, count: number): Promise<StepOutcome[]>;
  stop(): Promise<void>;
}

export const startOutcomeLog = async (kafka: Kafka): Promise<OutcomeLog> => {
  const collector = await collectOutcomes(kafka);
  const of = (correlationid: string) => collector.messages.filter((o) => o.correlationid === correlationid);
  return {
    of,
    wait: (correlationid, count) =>
      waitFor(() => (of(correlationid).length >= count ? of(correlationid) : undefined), {
        what: `${count} outcomes of ${correlationid}`,
      }),
    stop: () => collector.stop(),
  };
};

/**
 * What suites calling the handlers directly connect, as the service would: the topics, a
 * publisher, a store client; and the outcomes published.
 */
export interface HandlerSetup {
  mongo: MongoHandle;
  publisher: Publisher;
  log: OutcomeLog;
  close(): Promise<void>;
}

export const startHandlerSetup = async (infra: Infra, clientId: string): Promise<HandlerSetup> => {
  const kafka = createKafka(clientId, infra.config.kafkaBrokers, quietLog());
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, ['directoryChanges', 'orgChanges', 'stepOutcomes'], infra.config.topicPartitions);
  await admin.disconnect();
  const publisher = await createPublisher(kafka);
  const mongo = await connectMongo(infra.config.mongoUrl, infra.config.mongoDatabase);
  const log = await startOutcomeLog(infra.kafka);
  return {
    mongo,
    publisher,
    log,
    close: async () => {
      await log.stop();
      await publisher.close();
      await mongo.close();
    },
  };
};
