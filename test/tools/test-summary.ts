// Adds up every workspace's vitest JSON report into one closing line CI can read.
import { existsSync, globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

const { workspaces } = JSON.parse(readFileSync('package.json', 'utf8')) as { workspaces: string[] };
const dirs = workspaces.flatMap((pattern) => globSync(pattern));
const reports = dirs.map((dir) => join(dir, '.vitest-report.json')).filter((file) => existsSync(file));
const totals = reports
  .map((file) => JSON.parse(readFileSync(file, 'utf8')) as VitestReport)
  .reduce(
    (sum, r) => ({
      passed: sum.passed + r.numPassedTests,
      failed: sum.failed + r.numFailedTests,
      skipped: sum.skipped + r.numPendingTests + r.numTodoTests,
    }),
    { passed: 0, failed: 0, skipped: 0 },
  );
console.log(`${reports.length} workspaces tested`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
if (totals.failed > 0 || totals.passed === 0) process.exit(1);
