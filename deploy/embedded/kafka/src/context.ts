/** Shared state handed to every API handler. */
import type { GroupCoordinator } from './group/coordinator.ts';
import type { OffsetStore } from './group/offsetStore.ts';
import type { TopicStore } from './log/topicStore.ts';
import type { Decoder } from './protocol/decoder.ts';
import type { Encoder } from './protocol/encoder.ts';

export interface BrokerContext {
  nodeId: number;
  /** advertised host and port */
  host: string;
  port: number;
  clusterId: string;
  defaultPartitions: number;
  autoCreateTopics: boolean;
  /** `message.max.bytes`: the largest record batch a Produce may append (topics may set their own) */
  messageMaxBytes: number;
  topics: TopicStore;
  groups: GroupCoordinator;
  offsets: OffsetStore;
  log: (line: string) => void;
  nextProducerId: () => number;
  /** cancels long-polling requests on shutdown */
  pending: Set<() => void>;
}

export interface ConnectionInfo {
  readonly clientHost: string;
  readonly closed: boolean;
  /** Registers a cleanup run when the connection closes; returns the unregister function. */
  onClose(fn: () => void): () => void;
}

export interface RequestContext {
  broker: BrokerContext;
  apiVersion: number;
  clientId: string | null;
  connection: ConnectionInfo;
}

/** Encoded response body, or null for "send no response" (Produce with acks=0). */
export type ResponseBody = Encoder | null;

export interface ApiHandler {
  apiKey: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  /** Decodes the request body (after the header) and produces the response body. */
  handle(ctx: RequestContext, request: Decoder): ResponseBody | Promise<ResponseBody>;
}
