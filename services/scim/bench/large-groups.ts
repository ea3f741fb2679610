/**
 * `npm run bench:patch`: the PATCH engine on groups of growing size, to show its work is linear
 * (issue 10, finding 2). For each size: the median CPU time (of 7 runs) of adding 1,000 members
 * and of Entra's removal of 1,000 members by value list, and the CPU per existing member as a
 * ratio to the smallest group measured in the same run (≈ 1 when linear; the quadratic engine
 * this replaced grew with the size).
 */
import type { GroupAttributes, PatchOperation } from '@roster/contracts';
import { MESSAGE, normalizePatch, patchGroupAttributes } from '../src/index.ts';

const SIZES = [10_000, 25_000, 50_000, 99_000];
const RUNS = 7;
const BATCH = 1_000;

const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const members = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ value: id(from + i), display: `User ${from + i}` }));

const medianCpuMs = (run: () => unknown): number => {
  const samples = Array.from({ length: RUNS }, () => {
    const start = process.cpuUsage();
    run();
    const spent = process.cpuUsage(start);
    return (spent.user + spent.system) / 1_000;
  }).sort((a, b) => a - b);
  return samples[Math.floor(RUNS / 2)]!;
};

const operations = (body: unknown): PatchOperation[] => normalizePatch(body, 'Group');

const rows = SIZES.map((size) => {
  const group: GroupAttributes = { displayName: 'Everyone', members: members(0, size) };
  const add = operations({
    schemas: [MESSAGE.patchOp],
    Operations: [{ op: 'add', path: 'members', value: members(size, BATCH) }],
  });
  const removal = operations({
    schemas: [MESSAGE.patchOp],
    Operations: [{ op: 'Remove', path: 'members', value: members(0, Math.min(BATCH, size)) }],
  });
  return {
    size,
    addMs: medianCpuMs(() => patchGroupAttributes(group, add)),
    removeMs: medianCpuMs(() => patchGroupAttributes(group, removal)),
  };
});

const [baseline] = rows;
console.log(
  `| group members | add ${BATCH} (CPU ms) | remove ${BATCH} by value list (CPU ms) | per member, ratio to ${baseline!.size} |`,
);
console.log('| --- | --- | --- | --- |');
for (const row of rows) {
  const ratio = row.addMs / row.size / (baseline!.addMs / baseline!.size);
  console.log(`| ${row.size} | ${row.addMs.toFixed(1)} | ${row.removeMs.toFixed(1)} | ${ratio.toFixed(2)} |`);
}
