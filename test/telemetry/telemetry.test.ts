import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { waitFor } from '@roster/test-support';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GROUP_SCHEMA, newUser, PATCH_OP } from '../src/fixtures.ts';
import { setUpOrganization, type TestOrg } from '../src/org.ts';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../src/otlp-receiver.ts';
import { type RunningStack, startStack } from '../src/stack.ts';

const SERVICES = ['ingress', 'status', 'licensing', 'membership', 'content-transfer'].map(
  (s) => `roster-${s}`,
);
const SPAN_KIND = { server: 2, producer: 4, consumer: 5 };

let receiver: OtlpReceiver;
let stack: RunningStack;
let org: TestOrg;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stack = await startStack({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    OTEL_METRIC_EXPORT_INTERVAL: '1000',
    // The log test reads what every service writes at info.
    LOG_LEVEL: 'info',
  });
  org = await setUpOrganization(stack, { workspaces: ['Everyone', 'Design'] });
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.close();
});

/** A traceparent of our own, so the test finds the trace the SCIM call joins. */
const callerTrace = () => {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { traceId, spanId, header: { traceparent: `00-${traceId}-${spanId}-01` } };
};

const spansOf = (traceId: string): ReceivedSpan[] =>
  receiver.spans.filter((span) => span.traceId === traceId);

/** Spans whose parent is not in the trace (but the root's, whose parent is the caller's span). */
const orphansOf = (spans: ReceivedSpan[], callerSpanId: string): string[] => {
  const ids = new Set(spans.map((span) => span.spanId));
  return spans
    .filter((span) => span.parentSpanId !== callerSpanId && !ids.has(span.parentSpanId))
    .map((span) => `${span.service} ${span.name}`);
};

/**
 * Waits until the trace has spans of every one of `services`, holds `what`, and every span's
 * parent arrived (each service exports on its own, a span once it ended): one connected trace.
 */
const traceAcross = (
  caller: { traceId: string; spanId: string },
  services: string[],
  what: (spans: ReceivedSpan[]) => boolean = () => true,
) =>
  waitFor(
    () => {
      const spans = spansOf(caller.traceId);
      const seen = new Set(spans.map((span) => span.service));
      const complete = services.every((service) => seen.has(service)) && what(spans);
      return complete && orphansOf(spans, caller.spanId).length === 0 ? spans : undefined;
    },
    { what: `one connected trace across ${services.join(', ')}`, timeoutMs: 30_000 },
  ).catch((err: Error) => {
    throw new Error(
      `${err.message}; orphans: ${orphansOf(spansOf(caller.traceId), caller.spanId).join('; ')}`,
    );
  });

const find = (
  spans: ReceivedSpan[],
  predicate: (span: ReceivedSpan) => boolean,
  what: string,
): ReceivedSpan => {
  const span = spans.find(predicate);
  if (!span) throw new Error(`no ${what} among ${spans.map((s) => `${s.service} ${s.name}`).join('; ')}`);
  return span;
};

describe('one trace per SCIM call', () => {
  test('a create: ingress → status → licensing, membership, content transfer → status → the answer, with the semantic conventions', async () => {
    const caller = callerTrace();
    const created = await org.scim.post('/Users', newUser('trace-create@example.com'), caller.header);
    expect(created.status).toBe(201);
    const userId = created.body.id;
    const spans = await traceAcross(caller, SERVICES, (all) =>
      all.some(
        (span) => span.service === 'roster-ingress' && span.name === 'process roster.command-results.v1',
      ),
    );

    const server = find(
      spans,
      (s) => s.kind === SPAN_KIND.server && s.service === 'roster-ingress',
      'HTTP server span',
    );
    expect(server.parentSpanId).toBe(caller.spanId);
    expect(server.attributes).toMatchObject({
      'http.route': '/scim/v2/Users',
      'http.response.status_code': 201,
    });
    expect(JSON.stringify(server.attributes)).not.toContain('trace-create@example.com');
    expect(server.name).toBe('POST /scim/v2/Users');
    // One span per HTTP call: the server span names the tenant, the command and the user.
    expect(server.attributes).toMatchObject({
      'roster.tenant': org.orgId,
      'roster.command.type': 'roster.command.user.create.v1',
      'roster.user.id': userId,
    });
    const send = find(
      spans,
      (s) => s.kind === SPAN_KIND.producer && s.service === 'roster-ingress',
      'send span',
    );
    expect(send.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': 'roster.scim-commands.v1',
      'messaging.operation.type': 'send',
      'roster.tenant': org.orgId,
    });
    expect(send.attributes['messaging.kafka.message.key']).toEqual(expect.stringContaining(userId));
    for (const service of SERVICES.slice(1)) {
      const processed = find(
        spans,
        (s) => s.kind === SPAN_KIND.consumer && s.service === service,
        `${service} process span`,
      );
      expect(processed.attributes).toMatchObject({
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'roster.tenant': org.orgId,
      });
      expect(processed.attributes['messaging.consumer.group.name']).toEqual(expect.any(String));
    }
    const userChange = find(
      spans,
      (s) => s.service === 'roster-licensing' && s.kind === SPAN_KIND.consumer,
      'licensing process span',
    );
    expect(userChange.attributes).toMatchObject({
      'roster.command.type': 'roster.directory.user.changed.v1',
      'roster.user.id': userId,
    });
    const store = find(spans, (s) => s.attributes['db.system.name'] === 'mongodb', 'MongoDB span');
    expect(store.attributes['db.collection.name']).toEqual(expect.any(String));
    // The user's record was written in this trace, yet no store span carries its email.
    const insert = find(
      spans,
      (s) => s.name === 'insert users' && s.service === 'roster-status',
      'the status service inserting the user',
    );
    // A batch's users are written with one bulk write: its span shows the command, not the documents.
    expect(JSON.parse(String(insert.attributes['db.query.text']))).toMatchObject({ insert: '?' });
    const storeSpans = spans.filter((s) => s.attributes['db.system.name'] === 'mongodb');
    expect(JSON.stringify(storeSpans)).not.toContain('trace-create@example.com');

    // The audit trail names the same trace.
    const audit = await org.admin.get(`/orgs/${org.orgId}/audit?userId=${userId}`);
    expect(audit.body.items.length).toBeGreaterThan(0);
    for (const entry of audit.body.items) expect(entry.traceId).toBe(caller.traceId);
  });

  test('a group push reaches membership in the same trace', async () => {
    const member = await org.scim.post('/Users', newUser('trace-member@example.com'));
    const caller = callerTrace();
    const group = await org.scim.post(
      '/Groups',
      { schemas: [GROUP_SCHEMA], displayName: 'Design', members: [{ value: member.body.id }] },
      caller.header,
    );
    expect(group.status).toBe(201);
    const spans = await traceAcross(caller, ['roster-ingress', 'roster-status', 'roster-membership']);
    const membership = find(
      spans,
      (s) =>
        s.service === 'roster-membership' &&
        s.attributes['roster.command.type'] === 'roster.directory.group.changed.v2',
      'membership processing the group change',
    );
    expect(membership.attributes['roster.group.id']).toBe(group.body.id);
    const command = find(
      spans,
      (s) =>
        s.service === 'roster-status' &&
        s.attributes['roster.command.type'] === 'roster.command.group.create.v1',
      'status processing the group command',
    );
    expect(command.attributes['roster.group.id']).toBe(group.body.id);
  });

  test('a deprovision shows the content transfer in its trace', async () => {
    await org.scim.post(
      '/Users',
      newUser('trace-admin@example.com', {
        userType: 'org-full-license',
        roles: [{ type: 'synthesia_role', value: 'organization-admin' }],
      }),
    );
    const leaver = await org.scim.post('/Users', newUser('trace-leaver@example.com'));
    const seeded = await org.admin.post(`/orgs/${org.orgId}/content`, {
      ownerUserId: leaver.body.id,
      title: 'Demo',
    });
    expect(seeded.status).toBe(201);
    const caller = callerTrace();
    const deactivated = await org.scim.patch(
      `/Users/${leaver.body.id}`,
      { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] },
      caller.header,
    );
    expect(deactivated.status).toBe(200);
    const spans = await traceAcross(caller, SERVICES, (all) =>
      all.some((s) => s.service === 'roster-content-transfer' && s.kind === SPAN_KIND.producer),
    );
    const transfer = find(
      spans,
      (s) => s.service === 'roster-content-transfer' && s.kind === SPAN_KIND.consumer,
      'content transfer processing the deactivation',
    );
    expect(transfer.attributes['roster.user.id']).toBe(leaver.body.id);
    // The move itself, batch by batch, as child spans of that processing.
    const batch = find(spans, (s) => s.name === 'content.transfer.batch', 'content transfer batch span');
    expect(batch.service).toBe('roster-content-transfer');
    expect(batch.attributes).toMatchObject({ 'roster.user.id': leaver.body.id, 'roster.content.items': 1 });
    expect(spans.find((s) => s.spanId === batch.parentSpanId)?.service).toBe('roster-content-transfer');
  });
});

describe('metrics and health of every service', () => {
  test('each service serves Prometheus text that promtool accepts, and answers /healthz and /readyz', async () => {
    // Every service, and the embedded broker's request counts.
    expect(Object.keys(stack.metrics).sort()).toEqual(
      [...SERVICES.map((s) => s.replace('roster-', '')), 'kafka'].sort(),
    );
    const promtoolErrors = (text: string) => {
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(check.error).toBeUndefined();
      // promtool exits 1 for lint warnings too; only errors that break parsing fail it with 'error'.
      return `${check.stderr}${check.stdout}`.match(/.*error.*/i)?.[0];
    };
    const { kafka: broker, ...services } = stack.metrics;
    const kafka = await (await fetch(broker!)).text();
    expect(kafka).toMatch(/^kafka_network_requests_total\{request="Produce"\} [1-9]/m);
    expect(promtoolErrors(kafka)).toBeUndefined();
    for (const [service, url] of Object.entries(services)) {
      const text = await (await fetch(url)).text();
      expect({ service, error: promtoolErrors(text) }).toEqual({ service, error: undefined });
      expect(text).toContain('target_info');
      const ops = url.replace(/\/metrics$/, '');
      expect((await fetch(`${ops}/healthz`)).status).toBe(200);
      await waitFor(async () => ((await fetch(`${ops}/readyz`)).status === 200 ? true : undefined), {
        what: `${service} ready`,
      });
    }
    const ingress = await (await fetch(stack.metrics.ingress!)).text();
    expect(ingress).toMatch(/^http_server_request_duration_\w+\{.*http_route="\/scim\/v2\/Users".*\}/m);
    expect(ingress).toMatch(/^roster_scim_write_duration\w*\{/m);
    expect(ingress).not.toContain(org.orgId);
    const status = await (await fetch(stack.metrics.status!)).text();
    expect(status).toMatch(
      /^roster_kafka_consumer_lag\{.*messaging_consumer_group_name="roster-status".*messaging_destination_name="roster\.scim-commands\.v1".*\} \d+/m,
    );
    expect(status).toMatch(
      /^roster_step_outcomes_total\{.*roster_step="licensing".*roster_step_result="succeeded".*\} \d+/m,
    );
    expect(status).toMatch(/^roster_step_duration\w*_bucket\{.*roster_step="membership"/m);
    expect(status).not.toContain(org.orgId);
    const content = await (await fetch(stack.metrics['content-transfer']!)).text();
    expect(content).toMatch(/^roster_content_items_moved_total\{.*\} [1-9]/m);
  });

  test('metrics are exported over OTLP when a collector is configured', async () => {
    await waitFor(
      () =>
        receiver.metricNames.get('roster-ingress')?.has('http.server.request.duration') ? true : undefined,
      {
        what: 'the ingress metrics over OTLP',
      },
    );
  });
});

describe('logs', () => {
  /** The JSON log lines one service printed (the supervisor prefixes each with `[service]`). */
  const linesOf = (service: string): Record<string, unknown>[] =>
    stack.output.flatMap((line) => {
      if (!line.startsWith(`[${service}] {`)) return [];
      return [JSON.parse(line.slice(service.length + 3)) as Record<string, unknown>];
    });

  test('name the tenant, correlation id and trace of the call in every service, and never a filter value or a credential', async () => {
    const email = `log-check-${randomBytes(4).toString('hex')}@example.com`;
    const caller = callerTrace();
    const created = await org.scim.post('/Users', newUser(email), caller.header);
    expect(created.status).toBe(201);
    const filter = `filter=${encodeURIComponent(`userName eq "${email}"`)}`;
    expect((await org.scim.get(`/Users?${filter}`)).status).toBe(200);
    // Outside the SCIM scope too: fastify's own 404 would log and echo the whole URL.
    const elsewhere = await fetch(`${new URL(stack.scimBaseUrl).origin}/nowhere?${filter}`);
    expect(elsewhere.status).toBe(404);
    expect(await elsewhere.text()).not.toContain('log-check');

    const ofCall = (service: string, msg?: string) =>
      waitFor(
        () => linesOf(service).find((line) => line.trace_id === caller.traceId && (!msg || line.msg === msg)),
        { what: `a ${service} log line of the call` },
      );
    // Once the token named the tenant, every line of the request carries it and the correlation id.
    const ingress = await ofCall('ingress', 'request completed');
    expect(ingress).toMatchObject({ tenant: org.orgId, correlationid: expect.any(String) });
    // Licensing logs each decision at info: the line names the call it serves.
    expect(await ofCall('licensing')).toMatchObject({
      tenant: org.orgId,
      correlationid: ingress.correlationid,
      span_id: expect.any(String),
    });
    expect(stack.output.join('\n')).not.toContain('log-check');
    // The services' log lines (the stack's own READY line hands out the dev credentials on purpose).
    const logged = SERVICES.flatMap((service) => linesOf(service.replace('roster-', '')));
    expect(logged.length).toBeGreaterThan(10);
    expect(JSON.stringify(logged)).not.toContain(stack.adminToken);
  });
});
