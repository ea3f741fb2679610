/**
 * Topic definitions and their partition logs. With a data directory the topic list
 * is journaled in topics.json (rewritten atomically: temp file + rename) and each
 * partition's segments live in topics/<topic>/<partition>/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PartitionLog } from './partitionLog.ts';

export interface Topic {
  name: string;
  partitions: PartitionLog[];
  /** the topic's `max.message.bytes` when set at creation; the broker's `message.max.bytes` otherwise */
  maxMessageBytes?: number;
}

/** What topics.json records per topic. */
interface SavedTopic {
  name: string;
  partitions: number;
  maxMessageBytes?: number;
}

export interface TopicStoreConfig {
  dataDir: string | null;
  retentionBytes: number | null;
  cacheBytesPerPartition: number;
  logger: (line: string) => void;
}

const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

export function isValidTopicName(name: string): boolean {
  return LEGAL_TOPIC.test(name) && name !== '.' && name !== '..';
}

export class TopicStore {
  readonly topics = new Map<string, Topic>();
  private readonly config: TopicStoreConfig;

  constructor(config: TopicStoreConfig) {
    this.config = config;
    if (config.dataDir) {
      fs.mkdirSync(path.join(config.dataDir, 'topics'), { recursive: true });
      const file = path.join(config.dataDir, 'topics.json');
      if (fs.existsSync(file)) {
        const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as SavedTopic[];
        for (const t of saved) this.open(t.name, t.partitions, t.maxMessageBytes);
      }
    }
  }

  private partitionDir(topic: string, partition: number): string | null {
    return this.config.dataDir ? path.join(this.config.dataDir, 'topics', topic, String(partition)) : null;
  }

  private open(name: string, partitions: number, maxMessageBytes: number | undefined): Topic {
    const topic: Topic = {
      name,
      partitions: [],
      ...(maxMessageBytes === undefined ? {} : { maxMessageBytes }),
    };
    for (let p = 0; p < partitions; p++) {
      topic.partitions.push(
        new PartitionLog(name, p, {
          dir: this.partitionDir(name, p),
          retentionBytes: this.config.retentionBytes,
          cacheBytes: this.config.cacheBytesPerPartition,
          logger: this.config.logger,
        }),
      );
    }
    this.topics.set(name, topic);
    return topic;
  }

  private persist(): void {
    if (!this.config.dataDir) return;
    const file = path.join(this.config.dataDir, 'topics.json');
    const list = [...this.topics.values()].map(
      (t): SavedTopic => ({
        name: t.name,
        partitions: t.partitions.length,
        maxMessageBytes: t.maxMessageBytes,
      }),
    );
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(list));
    fs.renameSync(`${file}.tmp`, file);
  }

  get(name: string): Topic | undefined {
    return this.topics.get(name);
  }

  partition(name: string, partition: number): PartitionLog | undefined {
    return this.topics.get(name)?.partitions[partition];
  }

  create(name: string, partitions: number, maxMessageBytes?: number): Topic {
    const existing = this.topics.get(name);
    if (existing) return existing;
    if (this.config.dataDir) {
      // leftovers of a topic deleted while the broker was down must not resurface
      fs.rmSync(path.join(this.config.dataDir, 'topics', name), { recursive: true, force: true });
    }
    const topic = this.open(name, partitions, maxMessageBytes);
    this.persist();
    this.config.logger(`created topic ${name} with ${partitions} partition(s)`);
    return topic;
  }

  delete(name: string): boolean {
    const topic = this.topics.get(name);
    if (!topic) return false;
    for (const p of topic.partitions) p.close();
    this.topics.delete(name);
    this.persist();
    if (this.config.dataDir) {
      fs.rmSync(path.join(this.config.dataDir, 'topics', name), { recursive: true, force: true });
    }
    this.config.logger(`deleted topic ${name}`);
    return true;
  }

  close(): void {
    for (const t of this.topics.values()) for (const p of t.partitions) p.close();
    this.topics.clear();
  }
}
