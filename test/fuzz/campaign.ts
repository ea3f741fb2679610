import fc from 'fast-check';
import { type RawResponse, sendRaw } from '../src/raw-http.ts';
import { violationOf } from './oracle.ts';
import { type FuzzTarget, type HostileRequest, hostileRequest } from './requests.ts';

export interface CampaignOptions {
  scimBaseUrl: string;
  target: FuzzTarget;
  seed: number;
  /** Requests to generate (shrinking a counterexample sends a few more). */
  requests: number;
  /** Requests in flight at once; each worker is its own seeded fast-check run. */
  workers: number;
  duringOutage: (sentAt: number) => boolean;
  log: (line: string) => void;
  /** Shrink a counterexample to a minimal request (re-sends it many times: for the long run). */
  shrink: boolean;
  /** Signatures already found (shared across the phases of one run, so each bug is shrunk once). */
  known: Set<string>;
}

/** A distinct bug: the shrunk request that shows it, and how to replay the run that found it. */
export interface Finding {
  signature: string;
  description: string;
  counterexample: string;
  replay: string;
}

export interface CampaignReport {
  sent: number;
  statuses: Record<string, number>;
  findings: Finding[];
  /** How often each finding's signature came up again after it was found. */
  repeats: Record<string, number>;
}

// Okta gives up after 60 s; an answer later than that is no answer.
const IDP_TIMEOUT_MS = 60_000;
const MAX_SHRINKS = 40;
const ROUND_MS = 120_000;

const clip = (text: string, length: number) =>
  text.length > length ? `${text.slice(0, length)}… (${text.length} chars)` : text;

export const describeRequest = (request: HostileRequest): string =>
  [
    `[${request.family}] ${request.method} ${clip(request.path, 300)}${request.chunked ? ' (chunked)' : ''}`,
    `headers ${clip(JSON.stringify(request.headers), 300)}`,
    ...(request.body ? [`body ${clip(JSON.stringify(request.body.toString('latin1')), 600)}`] : []),
  ].join('\n    ');

/**
 * Sends generated hostile requests from `workers` concurrent fast-check runs and judges every
 * answer. A new kind of violation fails the worker's run, which shrinks it to a minimal request and
 * records it; the worker then goes on with a fresh seed, so one known bug cannot hide the next.
 */
export const runCampaign = async (options: CampaignOptions): Promise<CampaignReport> => {
  const { target, workers, seed } = options;
  const report: CampaignReport = { sent: 0, statuses: {}, findings: [], repeats: {} };
  const { known } = options;
  const share = Math.ceil(options.requests / workers);

  const send = async (request: HostileRequest) => {
    const sentAt = Date.now();
    const outcome: RawResponse | Error = await sendRaw(options.scimBaseUrl, request, IDP_TIMEOUT_MS).catch(
      (error: Error) => error,
    );
    report.sent++;
    if (report.sent % 1_000 === 0) options.log(`  ${report.sent} requests sent`);
    const status = outcome instanceof Error ? 'no answer' : String(outcome.status);
    report.statuses[status] = (report.statuses[status] ?? 0) + 1;
    return violationOf(
      { ...request, bodyBytes: request.body?.length ?? 0, duringOutage: options.duringOutage(sentAt) },
      outcome,
    );
  };

  const worker = async (index: number) => {
    let sentByWorker = 0;
    for (let round = 0; sentByWorker < share; round++) {
      const runSeed = seed + index * 7_919 + round * 104_729;
      const newSignatures = new Set<string>();
      // Each shrinking step is a real request (and shrinking huge values costs CPU): a few dozen at most.
      const requests = fc.limitShrink(hostileRequest(target), MAX_SHRINKS);
      const property = fc.asyncProperty(requests, async (request) => {
        sentByWorker++;
        const violation = await send(request);
        if (!violation) return;
        // A signature first seen by another worker is a repeat; this round's own one keeps failing while it shrinks.
        if (known.has(violation.signature) && !newSignatures.has(violation.signature)) {
          report.repeats[violation.signature] = (report.repeats[violation.signature] ?? 0) + 1;
          return;
        }
        known.add(violation.signature);
        newSignatures.add(violation.signature);
        throw new Error(`${violation.signature}\n    ${violation.description}`);
      });
      const details = await fc.check(property, {
        seed: runSeed,
        numRuns: share - sentByWorker,
        endOnFailure: !options.shrink,
        // Bounds a round's shrinking too; an interrupted round without a failure just starts the next.
        interruptAfterTimeLimit: ROUND_MS,
      });
      if (details.interrupted && !details.failed) continue;
      if (!details.failed || !details.counterexample) return;
      const [request] = details.counterexample;
      const [signature = 'unknown', description = ''] = String(
        (details.errorInstance as Error)?.message,
      ).split('\n    ');
      const finding = {
        signature,
        description,
        counterexample: describeRequest(request),
        replay: `fc seed ${details.seed}, path "${details.counterexamplePath}"`,
      };
      report.findings.push(finding);
      options.log(
        `FINDING ${finding.signature}\n  ${finding.description}\n  ${finding.counterexample}\n  ${finding.replay}`,
      );
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, index) => worker(index)));
  return report;
};
