import type { CompareOperator } from '@roster/contracts';

/**
 * A dateTime comparison against stored times. Stored times (meta.created, meta.lastModified) are
 * ISO-8601 UTC strings with milliseconds (`toISOString()`), which compare chronologically as
 * strings; a literal is normalized to that form. A literal finer than a millisecond (Microsoft
 * sends `2015-10-10T14:38:21.8617979-07:00`) lies strictly between two stored instants, so the
 * comparison is rewritten on its whole millisecond m: `> L` and `≥ L` are `> m`, `< L` and `≤ L`
 * are `≤ m`, and no stored time equals L (`eq` matches nothing, `ne` everything).
 */

// The digits of the fraction past milliseconds: `…:21.861` + `7979`.
const FRACTION = /(T\d{2}:\d{2}:\d{2}\.\d{3})(\d+)/i;

export interface DateTimeComparison {
  op: CompareOperator;
  value: string;
}

/** undefined when `text` is no date and time. */
export const dateTimeComparison = (op: CompareOperator, text: string): DateTimeComparison | undefined => {
  const [, milliseconds, finer = ''] = FRACTION.exec(text) ?? [];
  const time = Date.parse(milliseconds ? text.replace(FRACTION, milliseconds) : text);
  if (Number.isNaN(time)) return undefined;
  const stored = new Date(time).toISOString();
  if (!/[1-9]/.test(finer)) return { op, value: stored };
  if (op === 'gt' || op === 'ge') return { op: 'gt', value: stored };
  if (op === 'lt' || op === 'le') return { op: 'le', value: stored };
  // A string no stored time equals: the instant with all its digits.
  return { op, value: `${stored.slice(0, -1)}${finer}Z` };
};
