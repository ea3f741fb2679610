/**
 * Typed readers of command arguments (`import * as arg`): a field of the wrong BSON type fails the
 * command with the server's own TypeMismatch message; a missing one reads as undefined (or the default).
 */
import { CommandError } from '../errors.ts';
import { type Doc, isPlainObject } from '../storage/values.ts';
import type { CommandContext } from './context.ts';

const typeName = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? 'double' : typeof v;

/** The collection named by the command's first field. */
export function collection(ctx: CommandContext): string {
  const v = ctx.cmd[ctx.name];
  if (typeof v !== 'string') {
    throw new CommandError('InvalidNamespace', `collection name has invalid type ${typeName(v)}`);
  }
  if (v.length === 0) throw new CommandError('InvalidNamespace', `Invalid namespace specified '${ctx.db}.'`);
  return v;
}

export function doc(cmd: Doc, field: string): Doc | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) {
    throw new CommandError(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${typeName(v)}', expected type 'object'`,
    );
  }
  return v;
}

export function array(cmd: Doc, field: string, required = false): unknown[] | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) {
    if (required)
      throw new CommandError('NoSuchKey', `BSON field '${field}' is missing but a required field`);
    return undefined;
  }
  if (!Array.isArray(v)) {
    throw new CommandError(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${typeName(v)}', expected type 'array'`,
    );
  }
  return v;
}

export function number(cmd: Doc, field: string): number | undefined {
  const v = cmd[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || Number.isNaN(v)) {
    throw new CommandError(
      'TypeMismatch',
      `BSON field '${field}' is the wrong type '${typeName(v)}', expected types '[long, int, decimal, double]'`,
    );
  }
  return v;
}

export function bool(cmd: Doc, field: string, dflt: boolean): boolean {
  const v = cmd[field];
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  throw new CommandError(
    'TypeMismatch',
    `BSON field '${field}' is the wrong type '${typeName(v)}', expected type 'bool'`,
  );
}
