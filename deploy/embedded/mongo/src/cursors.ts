import { calculateObjectSize, Long } from 'bson';
import { CommandError } from './errors.ts';
import type { Doc } from './storage/values.ts';

const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;
export const CURSOR_IDLE_MS = 10 * 60_000;

interface ServerCursor {
  readonly id: number;
  readonly ns: string;
  readonly docs: Doc[];
  pos: number;
  lastUsed: number;
  readonly sessionKey: string | undefined;
}

export interface Batch {
  batch: Doc[];
  id: Long;
  ns: string;
}

/** Open server cursors: results are materialised when the command runs, getMore pages through them. */
export class CursorManager {
  private readonly cursors = new Map<number, ServerCursor>();

  get size(): number {
    return this.cursors.size;
  }

  private newId(): number {
    for (;;) {
      const id = Math.floor(Math.random() * 2 ** 52) + 1;
      if (!this.cursors.has(id)) return id;
    }
  }

  /** First batch; keeps a cursor open when more documents remain (and singleBatch is not set). */
  open(
    ns: string,
    docs: Doc[],
    batchSize: number | undefined,
    singleBatch: boolean,
    sessionKey?: string,
  ): Batch {
    const cur: ServerCursor = { id: 0, ns, docs, pos: 0, lastUsed: Date.now(), sessionKey };
    const batch = take(cur, batchSize ?? 101);
    if (cur.pos >= docs.length || singleBatch) return { batch, id: Long.ZERO, ns };
    const id = this.newId();
    this.cursors.set(id, { ...cur, id });
    return { batch, id: Long.fromNumber(id), ns };
  }

  getMore(id: number, ns: string, batchSize: number | undefined): Batch {
    const cur = this.cursors.get(id);
    if (!cur) throw new CommandError('CursorNotFound', `cursor id ${id} not found`);
    if (cur.ns !== ns) {
      throw new CommandError(
        'Unauthorized',
        `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cur.ns}`,
      );
    }
    cur.lastUsed = Date.now();
    const batch = take(cur, batchSize && batchSize > 0 ? batchSize : Number.POSITIVE_INFINITY);
    if (cur.pos >= cur.docs.length) {
      this.cursors.delete(id);
      return { batch, id: Long.ZERO, ns };
    }
    return { batch, id: Long.fromNumber(id), ns };
  }

  kill(id: number): boolean {
    return this.cursors.delete(id);
  }

  has(id: number): boolean {
    return this.cursors.has(id);
  }

  killSession(sessionKey: string): void {
    for (const [id, c] of this.cursors) if (c.sessionKey === sessionKey) this.cursors.delete(id);
  }

  reap(now = Date.now()): void {
    for (const [id, c] of this.cursors) if (now - c.lastUsed > CURSOR_IDLE_MS) this.cursors.delete(id);
  }
}

function take(cur: ServerCursor, n: number): Doc[] {
  const out: Doc[] = [];
  let bytes = 0;
  while (cur.pos < cur.docs.length && out.length < n) {
    const doc = cur.docs[cur.pos]!;
    // a single document always fits (it was under 16 MiB when stored); size only from the second on
    const size = out.length === 0 && cur.pos + 1 === cur.docs.length ? 0 : calculateObjectSize(doc);
    if (out.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
    out.push(doc);
    bytes += size;
    cur.pos++;
  }
  return out;
}
