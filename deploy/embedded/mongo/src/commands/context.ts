import type { CursorManager } from '../cursors.ts';
import type { Session, SessionManager } from '../sessions/sessions.ts';
import type { Transaction } from '../sessions/transaction.ts';
import type { Collection } from '../storage/catalog.ts';
import type { Engine } from '../storage/engine.ts';
import type { Doc } from '../storage/values.ts';
import type { CommittedView, View } from '../storage/view.ts';

export interface ServerInfo {
  readonly setName: string;
  /** host:port this member advertises (hosts/primary/me in hello) */
  readonly me: string;
  readonly startedAt: Date;
  readonly log: (line: string) => void;
  readonly dataDir: string | undefined;
  connections(): number;
}

/** Commands served, by name, as serverStatus reports them (`metrics.commands.<name>`). */
export type CommandCounts = Map<string, { total: number; failed: number }>;

export interface StoreState {
  readonly engine: Engine;
  readonly commandCounts: CommandCounts;
  readonly cursors: CursorManager;
  readonly sessions: SessionManager;
  readonly committed: CommittedView;
  readonly info: ServerInfo;
}

export interface CommandContext {
  readonly state: StoreState;
  readonly cmd: Doc;
  readonly db: string;
  /** the command name as registered (first key of the command document) */
  readonly name: string;
  readonly view: View;
  readonly txn: Transaction | undefined;
  readonly session: Session | undefined;
  readonly connectionId: number;
}

export type CommandHandler = (ctx: CommandContext) => Doc;

export interface CommandDef {
  /** command names; the first is canonical, the rest are aliases (isMaster/ismaster, findandmodify) */
  readonly names: readonly string[];
  readonly handler: CommandHandler;
  /** allowed inside a multi-document transaction */
  readonly inTransaction?: boolean;
}

export function collectionFor(ctx: CommandContext, name: string, create: boolean): Collection | undefined {
  const { engine } = ctx.state;
  return create ? engine.ensureCollection(ctx.db, name) : engine.collection(ctx.db, name);
}
