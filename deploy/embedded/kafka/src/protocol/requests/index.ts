/** Registry of supported APIs: one module per API key, as in kafkajs's protocol/requests. */
import type { ApiHandler } from '../../context.ts';
import { advertised, apiVersions } from './apiVersions.ts';
import { createTopics } from './createTopics.ts';
import { deleteTopics } from './deleteTopics.ts';
import { describeGroups } from './describeGroups.ts';
import { fetch } from './fetch.ts';
import { findCoordinator } from './findCoordinator.ts';
import { heartbeat } from './heartbeat.ts';
import { initProducerId } from './initProducerId.ts';
import { joinGroup } from './joinGroup.ts';
import { leaveGroup } from './leaveGroup.ts';
import { listGroups } from './listGroups.ts';
import { listOffsets } from './listOffsets.ts';
import { metadata } from './metadata.ts';
import { offsetCommit } from './offsetCommit.ts';
import { offsetFetch } from './offsetFetch.ts';
import { produce } from './produce.ts';
import { syncGroup } from './syncGroup.ts';

export const handlers: ReadonlyMap<number, ApiHandler> = new Map(
  [
    produce,
    fetch,
    listOffsets,
    metadata,
    offsetCommit,
    offsetFetch,
    findCoordinator,
    joinGroup,
    heartbeat,
    leaveGroup,
    syncGroup,
    describeGroups,
    listGroups,
    apiVersions,
    createTopics,
    deleteTopics,
    initProducerId,
  ].map((h) => [h.apiKey, h]),
);

for (const h of handlers.values()) {
  advertised.push({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion });
}
