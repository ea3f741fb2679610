import { randomUUID } from 'node:crypto';
import {
  type EventOfType,
  envelope,
  type OrganizationDocument,
  type OrganizationSettingsChanged,
  type WorkspaceChanged,
  type WorkspaceDocument,
} from '@roster/contracts';
import { childTraceparent, type Publisher } from '@roster/service-kit';

const SOURCE = '/roster/ingress/admin';

type OrgChangeType = (WorkspaceChanged | OrganizationSettingsChanged)['type'];

/** The caller's trace header (possibly repeated) continued as a child span. */
const continued = (traceparent: string | string[] | undefined): string =>
  childTraceparent(Array.isArray(traceparent) ? traceparent[0] : traceparent);

/** Announces admin-API changes that consumers react to (e.g. a rename that links a pushed group). */
export class OrgEvents {
  readonly #publisher: Publisher;

  constructor(publisher: Publisher) {
    this.#publisher = publisher;
  }

  workspaceChanged(
    workspace: WorkspaceDocument,
    change: 'created' | 'renamed',
    previousName?: string,
    traceparent?: string | string[],
  ): Promise<void> {
    return this.#publish(
      'roster.org.workspace.changed.v1',
      { tenant: workspace.tenant, subject: workspace._id, traceparent },
      {
        change,
        workspace: { id: workspace._id, name: workspace.name, isDefault: workspace.isDefault },
        ...(previousName !== undefined ? { previousName } : {}),
      },
    );
  }

  settingsChanged(org: OrganizationDocument, traceparent?: string | string[]): Promise<void> {
    return this.#publish(
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
  }

  /** Publishes one org change, its own correlation root, in the caller's trace. */
  async #publish<T extends OrgChangeType>(
    type: T,
    about: { tenant: string; subject: string; traceparent: string | string[] | undefined },
    data: EventOfType<T>['data'],
  ): Promise<void> {
    const id = randomUUID();
    await this.#publisher.publish('orgChanges', [
      envelope(
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
      ),
    ]);
  }
}
