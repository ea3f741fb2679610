/**
 * Polls `fn` until it returns a truthy value and resolves with it; a throw counts as "not yet".
 * Fails after `timeoutMs` naming what it waited for and the last error seen.
 */
export const waitFor = async <T>(
  fn: () => T | Promise<T>,
  { timeoutMs = 30_000, intervalMs = 25, what = 'condition' } = {},
): Promise<NonNullable<T>> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
};
