import { type Static, Type } from '@sinclair/typebox';
import { Envelope } from './envelope.ts';
import { License } from './scim/resources.ts';

/**
 * Organization changes made through the admin API (the ingress is their producer): consumers
 * that depend on org settings or workspaces react to them, e.g. a workspace created or renamed so
 * that its name now equals a pushed group's displayName links that group.
 */
export const WorkspaceChanged = Envelope(
  'roster.org.workspace.changed.v1',
  Type.Object(
    {
      change: Type.Union([Type.Literal('created'), Type.Literal('renamed')]),
      workspace: Type.Object(
        { id: Type.String(), name: Type.String(), isDefault: Type.Boolean() },
        { additionalProperties: false },
      ),
      previousName: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  ),
  'A workspace was created or renamed (subject: the workspace id).',
);
export type WorkspaceChanged = Static<typeof WorkspaceChanged>;

export const OrganizationSettingsChanged = Envelope(
  'roster.org.settings.changed.v1',
  Type.Object(
    {
      defaultLicense: License,
      seatLimits: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
      autoCapture: Type.Boolean(),
      domains: Type.Array(Type.String()),
      roleType: Type.String(),
    },
    { additionalProperties: false },
  ),
  'Organization settings changed (subject: the organization id).',
);
export type OrganizationSettingsChanged = Static<typeof OrganizationSettingsChanged>;

export const ORG_CHANGES = [WorkspaceChanged, OrganizationSettingsChanged] as const;
