import { waitFor } from '@roster/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBroker, startBroker } from '../src/index.ts';
import { brokerLog, RawClient, tempDir } from './helpers.ts';
import { call, type ProducePartitionResult, req, res, send } from './kafkajsProtocol.ts';

interface ProduceResponse {
  topics: { partitions: ProducePartitionResult[] }[];
}
interface FetchResponse {
  responses: {
    partitions: {
      errorCode: number;
      highWatermark: string;
      lastStableOffset: string;
      messages: { offset: string; value: Buffer }[];
    }[];
  }[];
}
interface ListOffsetsResponse {
  responses: { partitions: { offset: string }[] }[];
}
interface JoinResponse {
  errorCode: number;
  generationId: number;
  leaderId: string;
  memberId: string;
  members: { memberId: string }[];
}
interface ErrorResponse {
  errorCode: number;
}
interface SyncResponse {
  errorCode: number;
  memberAssignment: Buffer;
}

const ERR = {
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  ILLEGAL_GENERATION: 22,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
};

describe('protocol details (requests encoded by kafkajs, sent over raw sockets)', () => {
  let broker: RunningBroker;
  let c: RawClient;
  const topic = 'raw';

  async function highWatermark(partition: number): Promise<number> {
    const r = await call<ListOffsetsResponse>(c, req.listOffsets(topic, partition, -1), res.listOffsets);
    return Number(r.responses[0]!.partitions[0]!.offset);
  }
  async function produce(p: Parameters<typeof req.produce>[0]): Promise<ProducePartitionResult> {
    const r = await call<ProduceResponse>(c, req.produce(p), res.produce);
    return r.topics[0]!.partitions[0]!;
  }

  beforeAll(async () => {
    broker = await startBroker({
      port: 0,
      dataDir: await tempDir('proto'),
      partitions: 2,
      logger: brokerLog,
    });
    c = await RawClient.connect(broker.brokers);
    // create the topic through the normal path
    const { Kafka, logLevel } = await import('kafkajs');
    const admin = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await admin.disconnect();
  });
  afterAll(async () => {
    c?.close();
    await broker?.close();
  });

  it('rejects a batch whose CRC32C does not match with CORRUPT_MESSAGE', async () => {
    const before = await highWatermark(0);
    const id = 1;
    const { frameOf } = await import('./kafkajsProtocol.ts');
    const frame = await frameOf(req.produce({ topic, partition: 0, values: ['hello', 'world'] }), id);
    frame[frame.length - 3]! ^= 0xff; // flip bits inside the last record
    c.write(frame);
    const raw = await waitFor(() => c.responses.get(id));
    const r = (await res.produce.decode(raw)) as unknown as ProduceResponse;
    expect(r.topics[0]!.partitions[0]!.errorCode).toBe(ERR.CORRUPT_MESSAGE);
    expect(await highWatermark(0)).toBe(before);
    // the connection stays usable
    const ok = await produce({ topic, partition: 0, values: ['fine'] });
    expect(ok.errorCode).toBe(0);
    expect(Number(ok.baseOffset)).toBe(before);
  });

  it('sends no response for acks=0 but appends the batch', async () => {
    const before = await highWatermark(1);
    const silent = await send(c, req.produce({ topic, partition: 1, acks: 0, values: ['a', 'b', 'c'] }));
    // requests after it are answered; the acks=0 one never is
    expect(await highWatermark(1)).toBe(before + 3);
    expect(c.responses.has(silent)).toBe(false);
  });

  it('deduplicates a retried idempotent batch', async () => {
    const before = await highWatermark(0);
    const batch = {
      topic,
      partition: 0,
      values: ['x', 'y'],
      producerId: 4242,
      producerEpoch: 0,
      firstSequence: 0,
    };
    const first = await produce(batch);
    const retry = await produce(batch);
    expect(first.errorCode).toBe(0);
    expect(retry.errorCode).toBe(0);
    expect(retry.baseOffset).toBe(first.baseOffset);
    const next = await produce({ ...batch, values: ['z'], firstSequence: 2 });
    expect(Number(next.baseOffset)).toBe(Number(first.baseOffset) + batch.values.length);
    expect(await highWatermark(0)).toBe(before + batch.values.length + 1);
  });

  it('returns the whole batch containing the fetch offset, with high watermark = last stable offset', async () => {
    const values = ['v0', 'v1', 'v2', 'v3', 'v4'];
    const { baseOffset } = await produce({ topic, partition: 1, values });
    const base = Number(baseOffset);
    const r = await call<FetchResponse>(
      c,
      req.fetch({ topic, partition: 1, offset: base + 2, maxWaitTime: 0 }),
      res.fetch,
    );
    const p = r.responses[0]!.partitions[0]!;
    expect(p.errorCode).toBe(0);
    expect(p.highWatermark).toBe(String(base + values.length));
    expect(p.lastStableOffset).toBe(p.highWatermark);
    const fromBatch = p.messages.filter((m) => Number(m.offset) >= base);
    expect(fromBatch.map((m) => m.value.toString())).toEqual(values);
  });

  it('answers OFFSET_OUT_OF_RANGE past the high watermark', async () => {
    const hw = await highWatermark(1);
    const r = await call<FetchResponse>(
      c,
      req.fetch({ topic, partition: 1, offset: hw + 5, maxWaitTime: 0 }),
      res.fetch,
    );
    expect(r.responses[0]!.partitions[0]!.errorCode).toBe(ERR.OFFSET_OUT_OF_RANGE);
  });

  it('long-polls a fetch at the high watermark and answers as soon as data arrives', async () => {
    const hw = await highWatermark(0);
    const maxWaitTime = 20_000;
    const started = Date.now();
    const fetchId = await send(c, req.fetch({ topic, partition: 0, offset: hw, maxWaitTime }));
    // still parked after a produce round-trip on another partition
    await produce({ topic, partition: 1, values: ['elsewhere'] });
    expect(c.responses.has(fetchId)).toBe(false);
    const other = await RawClient.connect(broker.brokers);
    await call(other, req.produce({ topic, partition: 0, values: ['wake up'] }), res.produce);
    other.close();
    const raw = await waitFor(() => c.responses.get(fetchId));
    const elapsed = Date.now() - started;
    const r = (await res.fetch.decode(raw)) as unknown as FetchResponse;
    const msgs = r.responses[0]!.partitions[0]!.messages;
    expect(msgs.map((m) => m.value.toString())).toContain('wake up');
    expect(elapsed).toBeLessThan(maxWaitTime / 2);
  });

  it('runs the JoinGroup/SyncGroup/Heartbeat state machine', async () => {
    const groupId = 'raw-group';
    const a = await RawClient.connect(broker.brokers);
    const b = await RawClient.connect(broker.brokers);
    const join = (cl: RawClient, memberId: string, sessionTimeout = 10_000) =>
      call<JoinResponse>(
        cl,
        req.joinGroup({ groupId, memberId, sessionTimeout, rebalanceTimeout: 10_000 }),
        res.joinGroup,
      );
    const hb = (cl: RawClient, gen: number, memberId: string) =>
      call<ErrorResponse>(cl, req.heartbeat(groupId, gen, memberId), res.heartbeat).then((r) => r.errorCode);
    const sync = (
      cl: RawClient,
      gen: number,
      memberId: string,
      assignment: { memberId: string; memberAssignment: Buffer }[],
    ) =>
      call<SyncResponse>(
        cl,
        req.syncGroup({ groupId, generationId: gen, memberId, groupAssignment: assignment }),
        res.syncGroup,
      );

    // first member: leader of generation 1
    const j1 = await join(a, '');
    expect(j1.errorCode).toBe(0);
    expect(j1.leaderId).toBe(j1.memberId);
    expect(j1.members.map((m) => m.memberId)).toEqual([j1.memberId]);
    const s1 = await sync(a, j1.generationId, j1.memberId, [
      { memberId: j1.memberId, memberAssignment: Buffer.from('all') },
    ]);
    expect(s1.memberAssignment.toString()).toBe('all');
    expect(await hb(a, j1.generationId, j1.memberId)).toBe(0);
    expect(await hb(a, j1.generationId + 1, j1.memberId)).toBe(ERR.ILLEGAL_GENERATION);
    expect(await hb(a, j1.generationId, 'nobody')).toBe(ERR.UNKNOWN_MEMBER_ID);

    // second member joins (held) -> the first sees REBALANCE_IN_PROGRESS and rejoins
    const pendingJoinB = join(b, '', 600);
    await waitFor(async () => (await hb(a, j1.generationId, j1.memberId)) === ERR.REBALANCE_IN_PROGRESS);
    const [j2a, j2b] = await Promise.all([join(a, j1.memberId), pendingJoinB]);
    expect(j2a.generationId).toBe(j1.generationId + 1);
    expect(j2b.generationId).toBe(j2a.generationId);
    expect(j2a.leaderId).toBe(j1.memberId);
    expect(j2a.members.map((m) => m.memberId).sort()).toEqual([j2a.memberId, j2b.memberId].sort());
    expect(j2b.members).toEqual([]);

    // the follower's SyncGroup is held until the leader's arrives
    const followerSync = await send(
      b,
      req.syncGroup({ groupId, generationId: j2b.generationId, memberId: j2b.memberId, groupAssignment: [] }),
    );
    expect(await hb(b, j2b.generationId, j2b.memberId)).toBe(ERR.REBALANCE_IN_PROGRESS);
    expect(b.responses.has(followerSync)).toBe(false);
    await sync(a, j2a.generationId, j2a.memberId, [
      { memberId: j2a.memberId, memberAssignment: Buffer.from('left half') },
      { memberId: j2b.memberId, memberAssignment: Buffer.from('right half') },
    ]);
    const rawSync = await waitFor(() => b.responses.get(followerSync));
    const sb = (await res.syncGroup.decode(rawSync)) as unknown as SyncResponse;
    expect(sb.memberAssignment.toString()).toBe('right half');

    // the second member stops heartbeating: its 600 ms session expires, the group rebalances
    await waitFor(async () => (await hb(a, j2a.generationId, j2a.memberId)) === ERR.REBALANCE_IN_PROGRESS, {
      timeoutMs: 10_000,
    });
    const j3 = await join(a, j2a.memberId);
    expect(j3.generationId).toBe(j2a.generationId + 1);
    expect(j3.members.map((m) => m.memberId)).toEqual([j2a.memberId]);
    expect(await hb(b, j2b.generationId, j2b.memberId)).toBe(ERR.UNKNOWN_MEMBER_ID);
    a.close();
    b.close();
  });
  it('evicts a member that does not rejoin within the rebalance timeout', async () => {
    const groupId = 'raw-group-timeout';
    const a = await RawClient.connect(broker.brokers);
    const b = await RawClient.connect(broker.brokers);
    const rebalanceTimeout = 500;
    const join = (cl: RawClient, memberId: string) =>
      call<JoinResponse>(
        cl,
        req.joinGroup({ groupId, memberId, sessionTimeout: 10_000, rebalanceTimeout }),
        res.joinGroup,
      );
    const j1 = await join(a, '');
    await call(
      a,
      req.syncGroup({ groupId, generationId: j1.generationId, memberId: j1.memberId, groupAssignment: [] }),
      res.syncGroup,
    );
    // b joins; a keeps heartbeating (and is told to rejoin) but never does
    const started = Date.now();
    const pendingB = join(b, '');
    await waitFor(async () => {
      const r = await call<ErrorResponse>(
        a,
        req.heartbeat(groupId, j1.generationId, j1.memberId),
        res.heartbeat,
      );
      return r.errorCode === ERR.REBALANCE_IN_PROGRESS;
    });
    const jb = await pendingB;
    expect(Date.now() - started).toBeGreaterThanOrEqual(rebalanceTimeout - 50);
    expect(jb.errorCode).toBe(0);
    expect(jb.generationId).toBe(j1.generationId + 1);
    expect(jb.leaderId).toBe(jb.memberId);
    expect(jb.members.map((m) => m.memberId)).toEqual([jb.memberId]);
    const hbA = await call<ErrorResponse>(
      a,
      req.heartbeat(groupId, j1.generationId, j1.memberId),
      res.heartbeat,
    );
    expect(hbA.errorCode).toBe(ERR.UNKNOWN_MEMBER_ID);
    a.close();
    b.close();
  });
});
