import type { Command } from '@roster/contracts';

export const NOW = '2026-11-25T10:00:00.000Z';
export const TENANT = 'org-1';
const actor = { kind: 'scim-token' as const, id: 'token-1' };

/** A command envelope as the ingress publishes it (only what the deciders read is meaningful). */
export const command = <T extends Command['type']>(
  type: T,
  subject: string,
  data: object = {},
): Extract<Command, { type: T }> =>
  ({
    specversion: '1.0',
    id: `cmd-${Math.random()}`,
    source: '/test',
    time: NOW,
    datacontenttype: 'application/json',
    dataschema: 'urn:test',
    tenant: TENANT,
    subject,
    correlationid: 'c',
    type,
    data: { actor, ...data },
  }) as unknown as Extract<Command, { type: T }>;
