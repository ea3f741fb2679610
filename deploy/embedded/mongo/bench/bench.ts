/**
 * Benchmark for the embedded MongoDB-compatible store (run: `npm run bench:mongo` from the repo root).
 *
 * Starts the store as a child process with a temporary --data-dir (journal on), then with 16
 * concurrent async callers through one official-driver client:
 *   1. 100,000 insertOne into a collection with a unique index
 *   2. 100,000 findOne by that unique key
 *   3. 20,000 findOneAndUpdate with upsert (mix of existing and new keys)
 * and prints ops/s, p50/p99 latency per phase and the store's peak RSS (VmHWM).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';

const here = dirname(fileURLToPath(import.meta.url));
const MAIN = join(here, '..', 'src', 'main.ts');
const CONCURRENCY = 16;
const INSERTS = 100_000;
const FINDS = 100_000;
const UPSERTS = 20_000;

interface PhaseResult {
  name: string;
  ops: number;
  seconds: number;
  p50: number;
  p99: number;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function phase(name: string, total: number, op: (i: number) => Promise<unknown>): Promise<PhaseResult> {
  const lat = new Float64Array(total);
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      const t0 = performance.now();
      await op(i);
      lat[i] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  lat.sort();
  return { name, ops: total, seconds, p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

function vmHwmMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'roster-mongo-bench-'));
  const child = spawn(process.execPath, [MAIN, '--port', '0', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once('line', (line) => {
      const m = /^READY (\{.*\})$/.exec(line);
      if (m) resolve((JSON.parse(m[1]!) as { url: string }).url);
      else reject(new Error(`unexpected output: ${line}`));
    });
    child.once('exit', (code) => reject(new Error(`store exited with ${code}`)));
  });
  const client = new MongoClient(url, { maxPoolSize: CONCURRENCY });
  const results: PhaseResult[] = [];
  try {
    await client.connect();
    const coll = client
      .db('bench')
      .collection<{ key: string; n: number; payload?: string; hits?: number }>('items');
    await coll.createIndex({ key: 1 }, { unique: true });
    const payload = 'x'.repeat(64);

    results.push(await phase('insertOne', INSERTS, (i) => coll.insertOne({ key: `k${i}`, n: i, payload })));
    const rssAfterInsert = vmHwmMiB(child.pid!);

    let misses = 0;
    results.push(
      await phase('findOne by unique key', FINDS, async (i) => {
        const key = `k${(i * 7919) % INSERTS}`;
        const doc = await coll.findOne({ key });
        if (doc?.key !== key) misses++;
      }),
    );
    if (misses > 0) throw new Error(`${misses} findOne calls did not return their document`);

    results.push(
      await phase('findOneAndUpdate upsert', UPSERTS, (i) =>
        coll.findOneAndUpdate(
          { key: `k${(i * 15_485_863) % (INSERTS + UPSERTS)}` },
          { $inc: { hits: 1 }, $setOnInsert: { n: -1 } },
          { upsert: true, returnDocument: 'after' },
        ),
      ),
    );
    const peak = vmHwmMiB(child.pid!);
    const count = await coll.estimatedDocumentCount();

    console.log(
      `embedded-mongo benchmark: ${CONCURRENCY} concurrent callers, data dir (journal) on, Node ${process.version}`,
    );
    console.log('phase                      ops       seconds   ops/s     p50 ms   p99 ms');
    for (const r of results) {
      console.log(
        `${r.name.padEnd(26)} ${String(r.ops).padEnd(9)} ${r.seconds.toFixed(2).padEnd(9)} ${Math.round(
          r.ops / r.seconds,
        )
          .toString()
          .padEnd(9)} ${r.p50.toFixed(2).padEnd(8)} ${r.p99.toFixed(2)}`,
      );
    }
    console.log(`documents at end: ${count}`);
    console.log(
      `store peak RSS (VmHWM): ${rssAfterInsert.toFixed(0)} MiB after inserts, ${peak.toFixed(0)} MiB at end`,
    );
  } finally {
    await client.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
