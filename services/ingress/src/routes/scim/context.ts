import type { OrganizationSettings } from '@roster/service-kit';
import type { CommandSender } from '../../http/tenant-fairness.ts';
import type { DirectoryReader } from '../../store/directory.ts';

/** What the SCIM route plugins need from the outside world. */
export interface ScimRouteDeps {
  /** Commands go out paced by their organization's share (429 beyond it). */
  bus: CommandSender;
  directory: DirectoryReader;
  organizations: OrganizationSettings;
}

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export const projectionQuerystring = {
  type: 'object',
  properties: { attributes: { type: 'string' }, excludedAttributes: { type: 'string' } },
} as const;

export interface IdParams {
  id: string;
}
