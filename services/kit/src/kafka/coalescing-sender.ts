import type { KafkaRecord } from '@roster/contracts';
import type { Producer, TopicMessages } from 'kafkajs';

/**
 * Bytes of records sent in one request: kafkajs puts a send's records for one partition in one
 * record batch, and the broker refuses a batch past `message.max.bytes` (1 MiB by default).
 */
export const MAX_SEND_BYTES = 512 * 1024;

/** Records of one publish, waiting for the request that carries them. */
export interface Pending {
  topic: string;
  records: KafkaRecord[];
  bytes: number;
}

export const recordBytes = (record: KafkaRecord): number =>
  Buffer.byteLength(record.value) +
  Buffer.byteLength(record.key) +
  Object.entries(record.headers).reduce((sum, [name, value]) => sum + name.length + value.length, 0);

/** Consecutive runs of records under `maxBytes` each (a larger record travels alone). */
export const sizedRuns = (records: readonly KafkaRecord[], maxBytes: number): KafkaRecord[][] => {
  const runs: KafkaRecord[][] = [];
  let current: KafkaRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = recordBytes(record);
    if (current.length > 0 && bytes + size > maxBytes) {
      runs.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) runs.push(current);
  return runs;
};

/**
 * How many publishes from the front of the queue one request carries: as many as fit in
 * `maxBytes` together, and always the first (a publish larger than that goes alone, in runs).
 */
export const takeCount = (queue: readonly Pick<Pending, 'bytes'>[], maxBytes: number): number => {
  let bytes = 0;
  let count = 0;
  for (const pending of queue) {
    if (count > 0 && bytes + pending.bytes > maxBytes) break;
    bytes += pending.bytes;
    count++;
  }
  return count;
};

/**
 * One entry per topic, records in queue order: kafkajs keys a request's records by topic, so a
 * topic named twice in one `sendBatch` would keep only its last messages.
 */
export const topicMessagesOf = (
  publishes: readonly Pick<Pending, 'topic' | 'records'>[],
): TopicMessages[] => {
  const byTopic = new Map<string, KafkaRecord[]>();
  for (const { topic, records } of publishes) {
    const messages = byTopic.get(topic);
    if (messages) messages.push(...records);
    else byTopic.set(topic, [...records]);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
};

interface Queued extends Pending {
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Sends publishes through one idempotent producer with one request in flight, and coalesces the
 * publishes that arrive while a request is in flight into the next one (up to MAX_SEND_BYTES): 32
 * concurrent SCIM calls cost a few Produce requests, not 32. Each publish resolves once the broker
 * acknowledged the request that carried it; a publish's records stay in order. When the broker
 * refuses a coalesced request, each publish in it is sent again alone, so one refused message
 * fails only its own publish.
 */
export class CoalescingSender {
  readonly #producer: Producer;
  readonly #maxBytes: number;
  readonly #queue: Queued[] = [];
  #draining = false;

  constructor(producer: Producer, maxBytes = MAX_SEND_BYTES) {
    this.#producer = producer;
    this.#maxBytes = maxBytes;
  }

  send(topic: string, records: KafkaRecord[]): Promise<void> {
    const bytes = records.reduce((sum, record) => sum + recordBytes(record), 0);
    return new Promise((resolve, reject) => {
      this.#queue.push({ topic, records, bytes, resolve, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#queue.length > 0) {
        const taken = this.#queue.splice(0, takeCount(this.#queue, this.#maxBytes));
        await this.#deliver(taken);
      }
    } finally {
      this.#draining = false;
    }
  }

  async #deliver(taken: Queued[]): Promise<void> {
    const [only] = taken;
    if (taken.length === 1 && only) return this.#sendAlone(only).then(only.resolve, only.reject);
    try {
      await this.#producer.sendBatch({ acks: -1, topicMessages: topicMessagesOf(taken) });
    } catch {
      for (const publish of taken) await this.#sendAlone(publish).then(publish.resolve, publish.reject);
      return;
    }
    for (const publish of taken) publish.resolve();
  }

  async #sendAlone({ topic, records }: Pending): Promise<void> {
    for (const messages of sizedRuns(records, this.#maxBytes))
      await this.#producer.send({ topic, acks: -1, messages });
  }
}
