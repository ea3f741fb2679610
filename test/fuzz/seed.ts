/** The fuzzing seed: FUZZ_SEED when set (to replay a run), otherwise `fallback`; printed either way. */
export const fuzzSeed = (fallback: number, log: (line: string) => void): number => {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : fallback;
  if (!Number.isSafeInteger(seed))
    throw new Error(`FUZZ_SEED must be an integer, got ${process.env.FUZZ_SEED}`);
  log(`fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
  return seed;
};
