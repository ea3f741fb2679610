/**
 * Committed consumer-group offsets. With a data directory every commit is appended
 * (write(2) before the OffsetCommit response) to offsets.log as one line
 * `<crc32c hex> <json>\n`; a torn or corrupt line ends the journal on recovery and is
 * truncated. The journal is compacted into a snapshot on open and when it grows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { crc32c } from '../protocol/crc32c.ts';

export interface CommittedOffset {
  offset: number;
  metadata: string | null;
}

/** [topic, partition, offset, metadata] */
type Commit = [string, number, number, string | null];

const COMPACT_AFTER_LINES = 20000;

function line(group: string, commits: Commit[]): string {
  const json = JSON.stringify({ g: group, c: commits });
  return `${crc32c(Buffer.from(json)).toString(16).padStart(8, '0')} ${json}\n`;
}

export class OffsetStore {
  private readonly groups = new Map<string, Map<string, Map<number, CommittedOffset>>>();
  private readonly file: string | null;
  private fd = -1;
  private lines = 0;

  constructor(dataDir: string | null, logger: (line: string) => void) {
    this.file = dataDir ? path.join(dataDir, 'offsets.log') : null;
    if (!this.file) return;
    if (fs.existsSync(this.file)) {
      const text = fs.readFileSync(this.file);
      let pos = 0;
      while (pos < text.length) {
        const nl = text.indexOf(10, pos);
        const parsed = nl < 0 ? null : this.parseLine(text.toString('utf8', pos, nl));
        if (!parsed) {
          logger(`offsets journal: ignoring torn/corrupt tail at byte ${pos} of ${text.length}`);
          break;
        }
        this.apply(parsed.g, parsed.c);
        pos = nl + 1;
      }
    }
    this.compact();
  }

  private parseLine(s: string): { g: string; c: Commit[] } | null {
    const sp = s.indexOf(' ');
    if (sp !== 8) return null;
    const json = s.slice(9);
    if (Number.parseInt(s.slice(0, 8), 16) !== crc32c(Buffer.from(json))) return null;
    try {
      return JSON.parse(json) as { g: string; c: Commit[] };
    } catch {
      return null;
    }
  }

  private apply(group: string, commits: Commit[]): void {
    let g = this.groups.get(group);
    if (!g) {
      g = new Map();
      this.groups.set(group, g);
    }
    for (const [topic, partition, offset, metadata] of commits) {
      let t = g.get(topic);
      if (!t) {
        t = new Map();
        g.set(topic, t);
      }
      t.set(partition, { offset, metadata });
    }
  }

  /** Rewrites the journal as a snapshot (temp file + rename). */
  private compact(): void {
    if (!this.file) return;
    if (this.fd >= 0) fs.closeSync(this.fd);
    let out = '';
    this.lines = 0;
    for (const [group, topics] of this.groups) {
      const commits: Commit[] = [];
      for (const [topic, parts] of topics) {
        for (const [p, o] of parts) commits.push([topic, p, o.offset, o.metadata]);
      }
      if (commits.length === 0) continue;
      out += line(group, commits);
      this.lines++;
    }
    fs.writeFileSync(`${this.file}.tmp`, out);
    fs.renameSync(`${this.file}.tmp`, this.file);
    this.fd = fs.openSync(this.file, 'a');
  }

  commit(group: string, commits: Commit[]): void {
    if (commits.length === 0) return;
    if (this.fd >= 0) {
      fs.writeSync(this.fd, line(group, commits));
      if (++this.lines > COMPACT_AFTER_LINES) {
        this.apply(group, commits);
        this.compact();
        return;
      }
    }
    this.apply(group, commits);
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(group)?.get(topic)?.get(partition);
  }

  /** topic -> partition -> offset for one group */
  all(group: string): Map<string, Map<number, CommittedOffset>> {
    return this.groups.get(group) ?? new Map();
  }

  hasGroup(group: string): boolean {
    return this.groups.has(group);
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  deleteTopic(topic: string): void {
    let changed = false;
    for (const g of this.groups.values()) changed = g.delete(topic) || changed;
    if (changed) this.compact();
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}
