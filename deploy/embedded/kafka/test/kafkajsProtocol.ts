/**
 * Builds and decodes single requests with kafkajs's own protocol encoders/decoders
 * (its internal modules), for tests that need to drive the broker below the client API.
 */

import { waitFor } from '@roster/test-support';
import buildRequest from 'kafkajs/src/protocol/request.js';
import describeGroupsReq from 'kafkajs/src/protocol/requests/describeGroups/v1/request.js';
import describeGroupsRes from 'kafkajs/src/protocol/requests/describeGroups/v1/response.js';
import fetchReq from 'kafkajs/src/protocol/requests/fetch/v4/request.js';
import fetchRes from 'kafkajs/src/protocol/requests/fetch/v4/response.js';
import heartbeatReq from 'kafkajs/src/protocol/requests/heartbeat/v1/request.js';
import heartbeatRes from 'kafkajs/src/protocol/requests/heartbeat/v1/response.js';
import joinGroupReq from 'kafkajs/src/protocol/requests/joinGroup/v2/request.js';
import joinGroupRes from 'kafkajs/src/protocol/requests/joinGroup/v2/response.js';
import listOffsetsReq from 'kafkajs/src/protocol/requests/listOffsets/v1/request.js';
import listOffsetsRes from 'kafkajs/src/protocol/requests/listOffsets/v1/response.js';
import produceReq from 'kafkajs/src/protocol/requests/produce/v3/request.js';
import produceRes from 'kafkajs/src/protocol/requests/produce/v3/response.js';
import syncGroupReq from 'kafkajs/src/protocol/requests/syncGroup/v1/request.js';
import syncGroupRes from 'kafkajs/src/protocol/requests/syncGroup/v1/response.js';
import Long from 'kafkajs/src/utils/long.js';
import type { RawClient } from './helpers.ts';

interface KafkajsRequest {
  apiKey: number;
  apiVersion: number;
}
type Decoder = { decode: (b: Buffer) => Promise<Record<string, unknown>> };

let nextCorrelationId = 1000;

export async function frameOf(request: KafkajsRequest, correlationId: number): Promise<Buffer> {
  const encoder = await buildRequest({ correlationId, clientId: 'raw-test', request });
  return encoder.buffer as Buffer;
}

/** Sends a kafkajs-encoded request; resolves with the decoded response. */
export async function call<T = Record<string, unknown>>(
  c: RawClient,
  request: KafkajsRequest,
  response: Decoder,
): Promise<T> {
  const id = nextCorrelationId++;
  c.write(await frameOf(request, id));
  const raw = await waitFor(() => c.responses.get(id), { what: `response ${id}` });
  return (await response.decode(raw)) as T;
}

/** Sends a request without waiting; returns its correlation id. */
export async function send(c: RawClient, request: KafkajsRequest): Promise<number> {
  const id = nextCorrelationId++;
  c.write(await frameOf(request, id));
  return id;
}

export interface ProducePartitionResult {
  partition: number;
  errorCode: number;
  baseOffset: string;
}

export const req = {
  produce: (p: {
    topic: string;
    partition: number;
    acks?: number;
    values: string[];
    producerId?: number;
    producerEpoch?: number;
    firstSequence?: number;
  }) =>
    produceReq({
      acks: p.acks ?? -1,
      timeout: 1000,
      producerId: Long.fromNumber(p.producerId ?? -1),
      producerEpoch: p.producerEpoch ?? 0,
      topicData: [
        {
          topic: p.topic,
          partitions: [
            {
              partition: p.partition,
              firstSequence: p.firstSequence,
              messages: p.values.map((value) => ({ value })),
            },
          ],
        },
      ],
    }) as KafkajsRequest,
  fetch: (p: { topic: string; partition: number; offset: number; maxWaitTime: number }) =>
    fetchReq({
      replicaId: -1,
      maxWaitTime: p.maxWaitTime,
      minBytes: 1,
      maxBytes: 1024 * 1024,
      topics: [
        {
          topic: p.topic,
          partitions: [{ partition: p.partition, fetchOffset: String(p.offset), maxBytes: 1048576 }],
        },
      ],
    }) as KafkajsRequest,
  listOffsets: (topic: string, partition: number, timestamp: number) =>
    listOffsetsReq({
      replicaId: -1,
      topics: [{ topic, partitions: [{ partition, timestamp }] }],
    }) as KafkajsRequest,
  joinGroup: (p: { groupId: string; memberId: string; sessionTimeout: number; rebalanceTimeout: number }) =>
    joinGroupReq({
      ...p,
      protocolType: 'consumer',
      groupProtocols: [{ name: 'RoundRobinAssigner', metadata: Buffer.from('meta') }],
    }) as KafkajsRequest,
  syncGroup: (p: {
    groupId: string;
    generationId: number;
    memberId: string;
    groupAssignment: { memberId: string; memberAssignment: Buffer }[];
  }) => syncGroupReq(p) as KafkajsRequest,
  heartbeat: (groupId: string, groupGenerationId: number, memberId: string) =>
    heartbeatReq({ groupId, groupGenerationId, memberId }) as KafkajsRequest,
  describeGroups: (groupIds: string[]) => describeGroupsReq({ groupIds }) as KafkajsRequest,
};

export const res = {
  produce: produceRes as Decoder,
  fetch: fetchRes as Decoder,
  listOffsets: listOffsetsRes as Decoder,
  joinGroup: joinGroupRes as Decoder,
  syncGroup: syncGroupRes as Decoder,
  heartbeat: heartbeatRes as Decoder,
  describeGroups: describeGroupsRes as Decoder,
};
