/** `work`, or a rejection with `timedOut()` once `ms` passed; the work itself is not cancelled. */
export const withinTimeout = async <T>(work: Promise<T>, ms: number, timedOut: () => Error): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
};
