import { randomUUID } from 'node:crypto';
import {
  type EventOfType,
  envelope,
  type OrganizationDocument,
  type OrganizationSettingsChanged,
  type WorkspaceChanged,
  type WorkspaceDocument,
} from '@roster/contracts';
import { childTraceparent } from '@roster/service-kit';

const SOURCE = '/roster/ingress/admin';

/** An announcement of an admin-API change on the org-changes topic. */
export type OrgChange = WorkspaceChanged | OrganizationSettingsChanged;

/** The caller's trace header (possibly repeated) continued as a child span. */
const continued = (traceparent: string | string[] | undefined): string =>
  childTraceparent(Array.isArray(traceparent) ? traceparent[0] : traceparent);

/** One org change, its own correlation root, in the caller's trace. */
const orgChange = <T extends OrgChange['type']>(
  type: T,
  about: { tenant: string; subject: string; traceparent: string | string[] | undefined },
  data: EventOfType<T>['data'],
): EventOfType<T> => {
  const id = randomUUID();
  return envelope(
    type,
    {
      id,
      source: SOURCE,
      tenant: about.tenant,
      subject: about.subject,
      correlationid: id,
      traceparent: continued(about.traceparent),
    },
    data,
  );
};

/** A workspace created or renamed: consumers react to it (e.g. a rename that links a pushed group). */
export const workspaceChanged = (
  workspace: WorkspaceDocument,
  change: 'created' | 'renamed',
  previousName?: string,
  traceparent?: string | string[],
): WorkspaceChanged =>
  orgChange(
    'roster.org.workspace.changed.v1',
    { tenant: workspace.tenant, subject: workspace._id, traceparent },
    {
      change,
      workspace: { id: workspace._id, name: workspace.name, isDefault: workspace.isDefault },
      ...(previousName !== undefined ? { previousName } : {}),
    },
  );

/** The organization's settings as they are after a change. */
export const settingsChanged = (
  org: OrganizationDocument,
  traceparent?: string | string[],
): OrganizationSettingsChanged =>
  orgChange(
    'roster.org.settings.changed.v1',
    { tenant: org._id, subject: org._id, traceparent },
    {
      defaultLicense: org.defaultLicense,
      seatLimits: org.seatLimits,
      autoCapture: org.autoCapture,
      domains: org.domains,
      roleType: org.roleType,
    },
  );
