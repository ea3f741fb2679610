import { FormatRegistry, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import { TOPICS, type TopicKey } from './topics.ts';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
if (!FormatRegistry.Has('date-time'))
  FormatRegistry.Set('date-time', (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));

export type MessageOf<K extends TopicKey> = Static<(typeof TOPICS)[K]['messages'][number]>;

export class ContractViolation extends Error {
  readonly kind: 'unparseable' | 'invalid';
  constructor(kind: 'unparseable' | 'invalid', message: string) {
    super(message);
    this.name = 'ContractViolation';
    this.kind = kind;
  }
}

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();
const checkerFor = <T extends TSchema>(schema: T): TypeCheck<T> => {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check as TypeCheck<T>;
};

/** Checks `value` against `schema`; throws a ContractViolation naming the first few offending paths. */
export const assertValid = <T extends TSchema>(schema: T, value: unknown): Static<T> => {
  const check = checkerFor(schema);
  if (check.Check(value)) return value as Static<T>;
  const problems = [...check.Errors(value)].slice(0, 3).map((e) => `${e.path || '/'}: ${e.message}`);
  throw new ContractViolation(
    'invalid',
    `${String(schema.$id ?? schema.title ?? 'message')} — ${problems.join('; ')}`,
  );
};

const schemasByType = (topic: TopicKey): Map<string, TObject> =>
  new Map(TOPICS[topic].messages.map((m) => [String(m.$id), m]));
/** Topics whose one message kind has no CloudEvents `type` (the dead-letter wrapper). */
const untypedMessageOf = (schemas: Map<string, TObject>): TObject | undefined => {
  const [only] = schemas.values();
  return schemas.size === 1 && only && !('type' in only.properties) ? only : undefined;
};
const byTopic = new Map<TopicKey, Map<string, TObject>>();

/**
 * Decodes a Kafka message value of `topic` into its typed message, or throws a ContractViolation
 * (callers send those to the dead-letter topic). Envelope messages are chosen by their `type`.
 */
export const decodeMessage = <K extends TopicKey>(topic: K, value: Buffer | string | null): MessageOf<K> => {
  if (value === null) throw new ContractViolation('unparseable', 'empty message value (tombstone)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (err) {
    throw new ContractViolation('unparseable', `not JSON: ${(err as Error).message}`);
  }
  let schemas = byTopic.get(topic);
  if (!schemas) {
    schemas = schemasByType(topic);
    byTopic.set(topic, schemas);
  }
  const type = (parsed as { type?: unknown } | null)?.type;
  const schema = schemas.get(String(type)) ?? untypedMessageOf(schemas);
  if (!schema) {
    throw new ContractViolation(
      'invalid',
      `type ${JSON.stringify(type)} is not carried on ${TOPICS[topic].name}`,
    );
  }
  return assertValid(schema, parsed) as MessageOf<K>;
};
