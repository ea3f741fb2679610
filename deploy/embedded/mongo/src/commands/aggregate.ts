import { CommandError } from '../errors.ts';
import { runPipeline } from '../query/mingo.ts';
import { cloneDoc, type Doc, isPlainObject } from '../storage/values.ts';
import * as arg from './args.ts';
import type { CommandContext, CommandDef } from './context.ts';

const UNSUPPORTED = new Set([
  '$out',
  '$merge',
  '$changeStream',
  '$collStats',
  '$indexStats',
  '$currentOp',
  '$search',
]);

/** aggregate: the pipeline runs in mingo; a leading $match is answered through the indexes. */
function aggregate(ctx: CommandContext): Doc {
  const target = ctx.cmd.aggregate;
  const pipeline = arg.array(ctx.cmd, 'pipeline', true)!;
  const cursorOpt = arg.doc(ctx.cmd, 'cursor');
  const explain = arg.bool(ctx.cmd, 'explain', false);
  if (explain) throw new CommandError('IllegalOperation', 'explain is not supported by the embedded store');
  if (!cursorOpt) {
    throw new CommandError(
      'FailedToParse',
      "The 'cursor' option is required, except for aggregate with the explain argument",
    );
  }
  const batchSize = arg.number(cursorOpt, 'batchSize');
  for (const stage of pipeline) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw new CommandError(
        'FailedToParse',
        'A pipeline stage specification object must contain exactly one field.',
      );
    }
    const op = Object.keys(stage)[0]!;
    if (UNSUPPORTED.has(op))
      throw new CommandError('IllegalOperation', `${op} is not supported by the embedded store`);
  }
  const stages = pipeline as Doc[];
  const { engine } = ctx.state;
  let input: Doc[] = [];
  let rest = stages;
  let ns: string;
  if (typeof target === 'string') {
    ns = `${ctx.db}.${target}`;
    const coll = engine.collection(ctx.db, target);
    const first = stages[0];
    let filter: Doc | undefined;
    if (first && isPlainObject(first.$match)) {
      filter = first.$match;
      rest = stages.slice(1);
    }
    // stored documents go in as they are: runPipeline copies them when a stage could edit them
    input = ctx.view.match(coll, filter, undefined, ctx.cmd.collation).map((m) => m.doc);
  } else if (target === 1) {
    ns = `${ctx.db}.$cmd.aggregate`;
  } else {
    throw new CommandError('FailedToParse', "Invalid aggregate namespace: 'aggregate' must be a string or 1");
  }
  const collectionResolver = (name: string): Doc[] =>
    ctx.view.match(engine.collection(ctx.db, name), undefined).map((m) => cloneDoc(m.doc));
  const result = rest.length > 0 ? runPipeline(input, rest, { collectionResolver }) : input;
  const b = ctx.state.cursors.open(ns, result, batchSize, false, ctx.session?.key);
  return { cursor: { firstBatch: b.batch, id: b.id, ns }, ok: 1 };
}

export const aggregateCommand: CommandDef = { names: ['aggregate'], handler: aggregate, inTransaction: true };
