import { randomUUID } from 'node:crypto';
import { envelope, type OrganizationDocument, type WorkspaceDocument } from '@roster/contracts';
import { childTraceparent, type Publisher } from '@roster/service-kit';

const SOURCE = '/roster/ingress/admin';

/** The caller's trace header (possibly repeated) continued as a child span. */
const continued = (traceparent: string | string[] | undefined): string =>
  childTraceparent(Array.isArray(traceparent) ? traceparent[0] : traceparent);

/** Announces admin-API changes that consumers react to (e.g. a rename that links a pushed group). */
export class OrgEvents {
  readonly #publisher: Publisher;

  constructor(publisher: Publisher) {
    this.#publisher = publisher;
  }

  async workspaceChanged(
    workspace: WorkspaceDocument,
    change: 'created' | 'renamed',
    previousName?: string,
    traceparent?: string | string[],
  ): Promise<void> {
    const id = randomUUID();
    await this.#publisher.publish('orgChanges', [
      envelope(
        'roster.org.workspace.changed.v1',
        {
          id,
          source: SOURCE,
          tenant: workspace.tenant,
          subject: workspace._id,
          correlationid: id,
          traceparent: continued(traceparent),
        },
        {
          change,
          workspace: { id: workspace._id, name: workspace.name, isDefault: workspace.isDefault },
          ...(previousName !== undefined ? { previousName } : {}),
        },
      ),
    ]);
  }

  async settingsChanged(org: OrganizationDocument, traceparent?: string | string[]): Promise<void> {
    const id = randomUUID();
    await this.#publisher.publish('orgChanges', [
      envelope(
        'roster.org.settings.changed.v1',
        {
          id,
          source: SOURCE,
          tenant: org._id,
          subject: org._id,
          correlationid: id,
          traceparent: continued(traceparent),
        },
        {
          defaultLicense: org.defaultLicense,
          seatLimits: org.seatLimits,
          autoCapture: org.autoCapture,
          domains: org.domains,
          roleType: org.roleType,
        },
      ),
    ]);
  }
}
