import { MongoServerError } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AnyDoc, type Harness, startHarness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const coll = (name: string) => h.client.db('txn').collection<AnyDoc>(name);

describe('transactions', () => {
  beforeEach(async () => {
    await coll('accounts').deleteMany({});
    await coll('ledger').deleteMany({});
  });

  it('commits writes to several collections atomically with withTransaction', async () => {
    await coll('accounts').insertMany([
      { _id: 'a', balance: 100 },
      { _id: 'b', balance: 0 },
    ]);
    const session = h.client.startSession();
    try {
      await session.withTransaction(async () => {
        await coll('accounts').updateOne({ _id: 'a' }, { $inc: { balance: -30 } }, { session });
        await coll('accounts').updateOne({ _id: 'b' }, { $inc: { balance: 30 } }, { session });
        await coll('ledger').insertOne({ from: 'a', to: 'b', amount: 30 }, { session });
        // inside: own writes visible
        expect((await coll('accounts').findOne({ _id: 'b' }, { session }))?.balance).toBe(30);
        // outside: not yet
        expect((await coll('accounts').findOne({ _id: 'b' }))?.balance).toBe(0);
        expect(await coll('ledger').countDocuments()).toBe(0);
      });
    } finally {
      await session.endSession();
    }
    expect((await coll('accounts').find().sort({ _id: 1 }).toArray()).map((d) => d.balance)).toEqual([
      70, 30,
    ]);
    expect(await coll('ledger').countDocuments()).toBe(1);
  });

  it('discards writes on abort (explicit and when the callback throws)', async () => {
    const session = h.client.startSession();
    try {
      session.startTransaction();
      await coll('ledger').insertOne({ _id: 'aborted' }, { session });
      await session.abortTransaction();
      expect(await coll('ledger').findOne({ _id: 'aborted' })).toBeNull();

      const boom = new Error('boom');
      const err = await session
        .withTransaction(async () => {
          await coll('ledger').insertOne({ _id: 'thrown' }, { session });
          throw boom;
        })
        .catch((e: unknown) => e);
      expect(err).toBe(boom);
      expect(await coll('ledger').findOne({ _id: 'thrown' })).toBeNull();
    } finally {
      await session.endSession();
    }
  });

  it('reads from a snapshot and fails a stale write with WriteConflict (112, TransientTransactionError)', async () => {
    await coll('accounts').insertOne({ _id: 'snap', v: 1 });
    const session = h.client.startSession();
    try {
      session.startTransaction();
      expect((await coll('accounts').findOne({ _id: 'snap' }, { session }))?.v).toBe(1);
      await coll('accounts').updateOne({ _id: 'snap' }, { $set: { v: 2 } });
      await coll('accounts').insertOne({ _id: 'later', v: 9 });
      // snapshot isolation: the outside commit is invisible inside
      expect((await coll('accounts').findOne({ _id: 'snap' }, { session }))?.v).toBe(1);
      expect(await coll('accounts').findOne({ _id: 'later' }, { session })).toBeNull();
      const err = (await coll('accounts')
        .updateOne({ _id: 'snap' }, { $set: { v: 3 } }, { session })
        .catch((e: unknown) => e)) as MongoServerError;
      expect(err).toBeInstanceOf(MongoServerError);
      expect(err.code).toBe(112);
      expect(err.codeName).toBe('WriteConflict');
      expect(err.hasErrorLabel('TransientTransactionError')).toBe(true);
      await session.abortTransaction().catch(() => undefined);
    } finally {
      await session.endSession();
    }
    expect((await coll('accounts').findOne({ _id: 'snap' }))?.v).toBe(2);
  });

  it('retries conflicting transactions from two sessions until both apply', async () => {
    await coll('accounts').insertOne({ _id: 'counter', n: 0 });
    const sessions = [h.client.startSession(), h.client.startSession()];
    const attempts = [0, 0];
    let arrived = 0;
    let release!: () => void;
    const barrier = new Promise<void>((r) => {
      release = r;
    });
    const run = (i: number) =>
      sessions[i]!.withTransaction(async (s) => {
        attempts[i]!++;
        const doc = await coll('accounts').findOne({ _id: 'counter' }, { session: s });
        if (attempts[i] === 1) {
          // make both first attempts read before either writes
          arrived++;
          if (arrived === 2) release();
          await barrier;
        }
        await coll('accounts').updateOne({ _id: 'counter' }, { $set: { n: doc!.n + 1 } }, { session: s });
      });
    try {
      await Promise.all([run(0), run(1)]);
    } finally {
      await Promise.all(sessions.map((s) => s.endSession()));
    }
    expect((await coll('accounts').findOne({ _id: 'counter' }))?.n).toBe(sessions.length);
    expect(attempts[0]! + attempts[1]!).toBeGreaterThan(sessions.length);
  });

  it('aborts a transaction whose document was changed outside it before commit', async () => {
    await coll('accounts').insertOne({ _id: 'race', v: 0 });
    const session = h.client.startSession();
    try {
      session.startTransaction();
      await coll('accounts').updateOne({ _id: 'race' }, { $set: { v: 1 } }, { session });
      await coll('accounts').updateOne({ _id: 'race' }, { $set: { v: 2 } });
      const err = (await session.commitTransaction().catch((e: unknown) => e)) as MongoServerError;
      expect(err.code).toBe(112);
      expect(err.hasErrorLabel('TransientTransactionError')).toBe(true);
    } finally {
      await session.endSession();
    }
    expect((await coll('accounts').findOne({ _id: 'race' }))?.v).toBe(2);
  });

  it('enforces unique indexes across transactions and aborts on DuplicateKey', async () => {
    await coll('ledger').createIndex({ ref: 1 }, { unique: true });
    await coll('ledger').insertOne({ ref: 'r1' });
    const session = h.client.startSession();
    try {
      session.startTransaction();
      await coll('ledger').insertOne({ ref: 'r2' }, { session });
      const dup = (await coll('ledger')
        .insertOne({ ref: 'r1' }, { session })
        .catch((e: unknown) => e)) as MongoServerError;
      expect(dup.code).toBe(11000);
      // the failed statement aborted the transaction
      const after = (await coll('ledger')
        .insertOne({ ref: 'r3' }, { session })
        .catch((e: unknown) => e)) as MongoServerError;
      expect(after.code).toBe(251);
      await session.abortTransaction().catch(() => undefined);
    } finally {
      await session.endSession();
    }
    expect((await coll('ledger').find().toArray()).map((d) => d.ref)).toEqual(['r1']);
    await coll('ledger').dropIndexes();
  });

  it('runs aggregate and countDocuments inside a transaction over its own writes', async () => {
    const session = h.client.startSession();
    try {
      await session.withTransaction(async () => {
        await coll('ledger').insertMany(
          [
            { k: 'x', n: 1 },
            { k: 'x', n: 2 },
            { k: 'y', n: 5 },
          ],
          { session },
        );
        expect(await coll('ledger').countDocuments({ k: 'x' }, { session })).toBe(2);
        const sums = await coll('ledger')
          .aggregate([{ $group: { _id: '$k', s: { $sum: '$n' } } }, { $sort: { _id: 1 } }], { session })
          .toArray();
        expect(sums).toEqual([
          { _id: 'x', s: 3 },
          { _id: 'y', s: 5 },
        ]);
      });
    } finally {
      await session.endSession();
    }
    expect(await coll('ledger').countDocuments()).toBe(3);
  });

  it('endSessions aborts the open transaction and releases its locks', async () => {
    await coll('accounts').insertOne({ _id: 'ended', v: 0 });
    const session = h.client.startSession();
    session.startTransaction();
    await coll('accounts').updateOne({ _id: 'ended' }, { $set: { v: 1 } }, { session });
    await h.client.db('admin').command({ endSessions: [session.id] });
    // a new transaction on another session can take the document without conflict
    const other = h.client.startSession();
    try {
      await other.withTransaction(async () => {
        await coll('accounts').updateOne({ _id: 'ended' }, { $set: { v: 2 } }, { session: other });
      });
    } finally {
      await other.endSession();
      await session.abortTransaction().catch(() => undefined);
      await session.endSession();
    }
    expect((await coll('accounts').findOne({ _id: 'ended' }))?.v).toBe(2);
  });

  it('answers indexed lookups from the snapshot while the indexed field changes outside', async () => {
    await coll('ledger').createIndex({ ref: 1 }, { unique: true });
    await coll('ledger').insertMany([
      { _id: 'A', ref: 'x' },
      { _id: 'B', ref: 'gone' },
    ]);
    const session = h.client.startSession();
    try {
      session.startTransaction();
      expect(await coll('ledger').countDocuments({}, { session })).toBe(2);
      await coll('ledger').updateOne({ _id: 'A' }, { $set: { ref: 'y' } });
      await coll('ledger').deleteOne({ _id: 'B' });
      await coll('ledger').insertOne({ _id: 'C', ref: 'x' });
      expect((await coll('ledger').findOne({ ref: 'x' }, { session }))?._id).toBe('A');
      expect(await coll('ledger').findOne({ ref: 'y' }, { session })).toBeNull();
      expect((await coll('ledger').findOne({ ref: 'gone' }, { session }))?._id).toBe('B');
      expect(await coll('ledger').findOne({ _id: 'C' }, { session })).toBeNull();
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect((await coll('ledger').findOne({ ref: 'x' }))?._id).toBe('C');
    await coll('ledger').dropIndexes();
  });

  it('keeps concurrent transfers atomic: balances are conserved and every transfer lands once', async () => {
    const accounts = 5;
    const workers = 4;
    const transfersEach = 25;
    const initial = 1_000;
    await coll('accounts').insertMany(
      Array.from({ length: accounts }, (_, i) => ({ _id: `acct${i}`, balance: initial })),
    );
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const plan = Array.from({ length: workers }, () =>
      Array.from({ length: transfersEach }, () => {
        const from = rand(accounts);
        return {
          from: `acct${from}`,
          to: `acct${(from + 1 + rand(accounts - 1)) % accounts}`,
          amount: 1 + rand(20),
        };
      }),
    );
    await Promise.all(
      plan.map(async (transfers, w) => {
        const session = h.client.startSession();
        try {
          for (const [i, t] of transfers.entries()) {
            await session.withTransaction(async () => {
              const src = await coll('accounts').findOne({ _id: t.from }, { session });
              await coll('accounts').updateOne(
                { _id: t.from },
                { $set: { balance: src!.balance - t.amount } },
                { session },
              );
              const dst = await coll('accounts').findOne({ _id: t.to }, { session });
              await coll('accounts').updateOne(
                { _id: t.to },
                { $set: { balance: dst!.balance + t.amount } },
                { session },
              );
              await coll('ledger').insertOne({ _id: `w${w}-t${i}`, ...t }, { session });
            });
          }
        } finally {
          await session.endSession();
        }
      }),
    );
    const balances = await coll('accounts').find().toArray();
    expect(balances.reduce((sum, a) => sum + a.balance, 0)).toBe(accounts * initial);
    const expected = new Map<string, number>(
      Array.from({ length: accounts }, (_, i) => [`acct${i}`, initial]),
    );
    for (const t of plan.flat()) {
      expected.set(t.from, expected.get(t.from)! - t.amount);
      expected.set(t.to, expected.get(t.to)! + t.amount);
    }
    expect(Object.fromEntries(balances.map((a) => [a._id, a.balance]))).toEqual(Object.fromEntries(expected));
    expect(await coll('ledger').countDocuments()).toBe(workers * transfersEach);
  });
});
