/**
 * A simple model of one SCIM user as the concurrency test drives it: every request carries the
 * same profile but for `title`, so a user is fully described by whether it exists, its title and
 * whether it is active or SCIM-deleted.
 */
export interface ModelUser {
  title: string;
  active: boolean;
  scimDeleted: boolean;
}

export type UserOp =
  | { kind: 'create'; title: string }
  | { kind: 'patch'; title: string }
  | { kind: 'put'; title: string }
  | { kind: 'deactivate' }
  | { kind: 'delete' };

export type Applied = { refused: true } | { refused: false; changed: boolean; state: ModelUser };

const same = (a: ModelUser | undefined, b: ModelUser): boolean =>
  a !== undefined && a.title === b.title && a.active === b.active && a.scimDeleted === b.scimDeleted;

const result = (before: ModelUser | undefined, state: ModelUser): Applied => ({
  refused: false,
  changed: !same(before, state),
  state,
});

/**
 * What one request does to the user, as the matching rules say: a create of a userName nobody
 * holds provisions; of a deactivated or SCIM-deleted user brings the account back with the
 * request's profile; of an active user is an idempotent repeat when identical and a uniqueness
 * conflict otherwise. Every other request needs a SCIM-visible user (404 otherwise).
 */
export const applyOp = (user: ModelUser | undefined, op: UserOp): Applied => {
  if (op.kind === 'create') {
    const created = { title: op.title, active: true, scimDeleted: false };
    if (user?.active && !user.scimDeleted && user.title !== op.title) return { refused: true };
    return result(user, created);
  }
  if (!user || user.scimDeleted) return { refused: true };
  switch (op.kind) {
    case 'patch':
      return result(user, { ...user, title: op.title });
    case 'put':
      return result(user, { ...user, title: op.title, active: true });
    case 'deactivate':
      return result(user, { ...user, active: false });
    case 'delete':
      return result(user, { ...user, active: false, scimDeleted: true });
  }
};

/** A decision the directory recorded for one request: the version it left the user at. */
export interface Decided<T> {
  op: UserOp;
  version: number;
  /** What the client was answered, when the answer carried the user. */
  answered?: { title: string | undefined; active: boolean };
  tag: T;
}

export type Replay<T> =
  | { ok: true; final: ModelUser | undefined; version: number }
  | { ok: false; why: string; at: Decided<T>[] };

/**
 * Replays the accepted decisions of one user in version order through the model. A version is
 * reached by exactly one change; decisions that changed nothing carry the version they saw. Any
 * other arrangement (two changes claiming one version, a change that the model says changes
 * nothing, an answer showing another state than its version's) is a violation.
 */
export const replay = <T>(decided: Decided<T>[]): Replay<T> => {
  const byVersion = new Map<number, Decided<T>[]>();
  for (const d of decided) byVersion.set(d.version, [...(byVersion.get(d.version) ?? []), d]);
  let state: ModelUser | undefined;
  let version = 0;
  for (const v of [...byVersion.keys()].sort((a, b) => a - b)) {
    const group = byVersion.get(v)!;
    const unchangedUnder = (s: ModelUser | undefined, ds: Decided<T>[]) =>
      ds.every((d) => {
        const applied = applyOp(s, d.op);
        return !applied.refused && !applied.changed;
      });
    let next: ModelUser | undefined;
    if (v === version) {
      if (!unchangedUnder(state, group))
        return {
          ok: false,
          why: `a change at version ${v} that another decision reached already`,
          at: group,
        };
      next = state;
    } else {
      const changer = group.find((d) => {
        const applied = applyOp(state, d.op);
        return (
          !applied.refused &&
          applied.changed &&
          unchangedUnder(
            applied.state,
            group.filter((other) => other !== d),
          )
        );
      });
      if (!changer)
        return {
          ok: false,
          why: `version ${v} is not reached by exactly one change of version ${version}`,
          at: group,
        };
      next = (applyOp(state, changer.op) as { state: ModelUser }).state;
    }
    for (const d of group) {
      if (d.answered && (d.answered.title !== next?.title || d.answered.active !== next?.active))
        return { ok: false, why: `the answer at version ${v} shows another state than the model`, at: [d] };
    }
    state = next;
    version = v;
  }
  return { ok: true, final: state, version };
};
