/**
 * Group coordinator: the classic (pre-KIP-848) JoinGroup / SyncGroup / Heartbeat
 * state machine for one broker.
 *
 *   Empty --join--> PreparingRebalance --all known members joined, or rebalance
 *   timeout evicts the rest--> CompletingRebalance --leader's SyncGroup--> Stable
 *
 * A join by a new member, a leader rejoin, changed member metadata, a LeaveGroup or a
 * session expiry moves the group back to PreparingRebalance; members learn it from
 * REBALANCE_IN_PROGRESS on Heartbeat/OffsetCommit and rejoin.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/errors.ts';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';

export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinRequest {
  groupId: string;
  memberId: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: GroupProtocol[];
}

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocol: string;
  leaderId: string;
  memberId: string;
  members: { memberId: string; metadata: Buffer }[];
}

/** The member a SyncGroup, Heartbeat or OffsetCommit comes from, and the generation it believes current. */
export interface GroupMember {
  groupId: string;
  generationId: number;
  memberId: string;
}

export interface SyncResult {
  errorCode: number;
  assignment: Buffer;
}

interface Member {
  memberId: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: GroupProtocol[];
  assignment: Buffer;
  joinWaiter: ((r: JoinResult) => void) | null;
  syncWaiter: ((r: SyncResult) => void) | null;
  sessionTimer: NodeJS.Timeout | null;
}

export interface Group {
  groupId: string;
  state: GroupState;
  generationId: number;
  protocolType: string | null;
  protocol: string | null;
  leaderId: string | null;
  members: Map<string, Member>;
  rebalanceTimer: NodeJS.Timeout | null;
}

const EMPTY = Buffer.alloc(0);

function joinError(errorCode: number, memberId = ''): JoinResult {
  return { errorCode, generationId: -1, protocol: '', leaderId: '', memberId, members: [] };
}

function sameProtocols(a: GroupProtocol[], b: GroupProtocol[]): boolean {
  return (
    a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata))
  );
}

export class GroupCoordinator {
  readonly groups = new Map<string, Group>();
  private readonly log: (line: string) => void;
  private closed = false;

  constructor(logger: (line: string) => void) {
    this.log = logger;
  }

  private group(groupId: string): Group {
    let g = this.groups.get(groupId);
    if (!g) {
      g = {
        groupId,
        state: 'Empty',
        generationId: 0,
        protocolType: null,
        protocol: null,
        leaderId: null,
        members: new Map(),
        rebalanceTimer: null,
      };
      this.groups.set(groupId, g);
    }
    return g;
  }

  join(req: JoinRequest): JoinResult | Promise<JoinResult> {
    if (!req.groupId) return joinError(ErrorCode.INVALID_GROUP_ID);
    if (req.sessionTimeoutMs <= 0 || req.sessionTimeoutMs > 30 * 60_000) {
      return joinError(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    const g = this.group(req.groupId);
    const others = [...g.members.values()].filter((m) => m.memberId !== req.memberId);
    const common = req.protocols.some((p) => others.every((m) => m.protocols.some((q) => q.name === p.name)));
    if (
      req.protocols.length === 0 ||
      (others.length > 0 && (g.protocolType !== req.protocolType || !common))
    ) {
      return joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId);
    }
    const rebalanceTimeoutMs = req.rebalanceTimeoutMs > 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs;

    if (req.memberId === '') {
      const member: Member = {
        memberId: `${req.clientId || 'member'}-${randomUUID()}`,
        clientId: req.clientId,
        clientHost: req.clientHost,
        sessionTimeoutMs: req.sessionTimeoutMs,
        rebalanceTimeoutMs,
        protocols: req.protocols,
        assignment: EMPTY,
        joinWaiter: null,
        syncWaiter: null,
        sessionTimer: null,
      };
      if (g.members.size === 0) g.protocolType = req.protocolType;
      g.members.set(member.memberId, member);
      this.log(`group ${g.groupId}: member ${member.memberId} joining`);
      return this.awaitJoin(g, member);
    }

    const member = g.members.get(req.memberId);
    if (!member) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId);
    const unchanged = sameProtocols(member.protocols, req.protocols);
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    if (g.state === 'CompletingRebalance' && unchanged) return this.joinResult(g, member);
    if (g.state === 'Stable' && unchanged && member.memberId !== g.leaderId)
      return this.joinResult(g, member);
    return this.awaitJoin(g, member);
  }

  private awaitJoin(g: Group, member: Member): Promise<JoinResult> {
    return new Promise((resolve) => {
      member.joinWaiter?.(joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId));
      member.joinWaiter = resolve;
      // while a join is pending the rebalance timeout, not the session timeout, governs the member
      this.stopSession(member);
      this.prepareRebalance(g);
      this.maybeCompleteJoin(g);
    });
  }

  private joinResult(g: Group, m: Member): JoinResult {
    const isLeader = m.memberId === g.leaderId;
    return {
      errorCode: ErrorCode.NONE,
      generationId: g.generationId,
      protocol: g.protocol ?? '',
      leaderId: g.leaderId ?? '',
      memberId: m.memberId,
      members: isLeader
        ? [...g.members.values()].map((x) => ({
            memberId: x.memberId,
            metadata: x.protocols.find((p) => p.name === g.protocol)?.metadata ?? EMPTY,
          }))
        : [],
    };
  }

  private prepareRebalance(g: Group): void {
    if (g.state === 'PreparingRebalance') return;
    if (g.state === 'CompletingRebalance') {
      for (const m of g.members.values()) this.resolveSync(m, ErrorCode.REBALANCE_IN_PROGRESS);
    }
    g.state = 'PreparingRebalance';
    let timeout = 0;
    for (const m of g.members.values()) timeout = Math.max(timeout, m.rebalanceTimeoutMs);
    if (g.rebalanceTimer) clearTimeout(g.rebalanceTimer);
    g.rebalanceTimer = setTimeout(() => this.completeJoin(g), timeout);
    g.rebalanceTimer.unref?.();
  }

  private maybeCompleteJoin(g: Group): void {
    if (g.state !== 'PreparingRebalance') return;
    for (const m of g.members.values()) if (!m.joinWaiter) return;
    this.completeJoin(g);
  }

  private completeJoin(g: Group): void {
    if (this.closed || g.state !== 'PreparingRebalance') return;
    if (g.rebalanceTimer) clearTimeout(g.rebalanceTimer);
    g.rebalanceTimer = null;
    for (const m of [...g.members.values()]) {
      if (!m.joinWaiter) {
        this.log(`group ${g.groupId}: evicting ${m.memberId} (did not rejoin within the rebalance timeout)`);
        this.removeMember(g, m);
      }
    }
    g.generationId++;
    if (g.members.size === 0) {
      g.state = 'Empty';
      g.protocol = null;
      g.leaderId = null;
      g.protocolType = null;
      this.log(`group ${g.groupId}: empty (generation ${g.generationId})`);
      return;
    }
    const members = [...g.members.values()];
    if (!g.leaderId || !g.members.has(g.leaderId)) g.leaderId = members[0]!.memberId;
    const leader = g.members.get(g.leaderId)!;
    g.protocol =
      leader.protocols.find((p) => members.every((m) => m.protocols.some((q) => q.name === p.name)))?.name ??
      leader.protocols[0]!.name;
    g.state = 'CompletingRebalance';
    this.log(
      `group ${g.groupId}: generation ${g.generationId} with ${members.length} member(s), leader ${g.leaderId}`,
    );
    for (const m of members) {
      m.assignment = EMPTY;
      const w = m.joinWaiter!;
      m.joinWaiter = null;
      this.touch(g, m);
      w(this.joinResult(g, m));
    }
  }

  sync(
    member: GroupMember,
    assignments: { memberId: string; assignment: Buffer }[],
  ): SyncResult | Promise<SyncResult> {
    const found = this.current(member);
    if (typeof found === 'number') return { errorCode: found, assignment: EMPTY };
    const { g, m } = found;
    if (g.state === 'PreparingRebalance')
      return { errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY };
    this.touch(g, m);
    if (g.state === 'Stable') return { errorCode: ErrorCode.NONE, assignment: m.assignment };
    // CompletingRebalance: followers wait for the leader's assignments
    return new Promise((resolve) => {
      this.resolveSync(m, ErrorCode.REBALANCE_IN_PROGRESS);
      m.syncWaiter = resolve;
      if (member.memberId === g.leaderId) {
        for (const a of assignments) {
          const target = g.members.get(a.memberId);
          if (target) target.assignment = a.assignment;
        }
        g.state = 'Stable';
        this.log(`group ${g.groupId}: stable at generation ${g.generationId}`);
        for (const x of g.members.values()) this.resolveSync(x, ErrorCode.NONE);
      }
    });
  }

  private resolveSync(m: Member, errorCode: number): void {
    const w = m.syncWaiter;
    if (!w) return;
    m.syncWaiter = null;
    w({ errorCode, assignment: errorCode === ErrorCode.NONE ? m.assignment : EMPTY });
  }

  heartbeat(member: GroupMember): number {
    const found = this.current(member);
    if (typeof found === 'number') return found;
    const { g, m } = found;
    if (!m.joinWaiter) this.touch(g, m);
    return g.state === 'Stable' ? ErrorCode.NONE : ErrorCode.REBALANCE_IN_PROGRESS;
  }

  leave(groupId: string, memberId: string): number {
    const g = this.groups.get(groupId);
    const m = g?.members.get(memberId);
    if (!g || !m) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.log(`group ${g.groupId}: member ${memberId} left`);
    this.removeMember(g, m);
    this.prepareRebalance(g);
    this.maybeCompleteJoin(g);
    return ErrorCode.NONE;
  }

  /** Validates an OffsetCommit from a group member (generation -1 + empty member = simple commit). */
  checkCommit(member: GroupMember): number {
    if (member.generationId < 0 && member.memberId === '') {
      const g = this.groups.get(member.groupId);
      return !g || g.members.size === 0 ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
    }
    const found = this.current(member);
    if (typeof found === 'number') return found;
    const { g, m } = found;
    // as in Kafka: during PreparingRebalance members still own their partitions and may
    // commit (that is how they commit before rejoining); between join and sync they may not
    if (g.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    if (!m.joinWaiter) this.touch(g, m);
    return ErrorCode.NONE;
  }

  /** The group and member a request names, or its error code when the member is unknown or stale. */
  private current({ groupId, generationId, memberId }: GroupMember): { g: Group; m: Member } | number {
    const g = this.groups.get(groupId);
    const m = g?.members.get(memberId);
    if (!g || !m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
    return { g, m };
  }

  private removeMember(g: Group, m: Member): void {
    this.stopSession(m);
    g.members.delete(m.memberId);
    m.joinWaiter?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, m.memberId));
    m.joinWaiter = null;
    this.resolveSync(m, ErrorCode.UNKNOWN_MEMBER_ID);
  }

  private stopSession(m: Member): void {
    if (m.sessionTimer) clearTimeout(m.sessionTimer);
    m.sessionTimer = null;
  }

  /** (Re)starts the member's session timer. */
  private touch(g: Group, m: Member): void {
    this.stopSession(m);
    m.sessionTimer = setTimeout(() => {
      m.sessionTimer = null;
      if (this.closed || g.members.get(m.memberId) !== m) return;
      this.log(`group ${g.groupId}: session of ${m.memberId} expired after ${m.sessionTimeoutMs} ms`);
      this.removeMember(g, m);
      this.prepareRebalance(g);
      this.maybeCompleteJoin(g);
    }, m.sessionTimeoutMs);
    m.sessionTimer.unref?.();
  }

  describe(groupId: string): {
    state: string;
    protocolType: string;
    protocol: string;
    members: {
      memberId: string;
      clientId: string;
      clientHost: string;
      metadata: Buffer;
      assignment: Buffer;
    }[];
  } | null {
    const g = this.groups.get(groupId);
    if (!g) return null;
    return {
      state: g.state,
      protocolType: g.protocolType ?? '',
      protocol: g.protocol ?? '',
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: m.protocols.find((p) => p.name === g.protocol)?.metadata ?? EMPTY,
        assignment: m.assignment,
      })),
    };
  }

  close(): void {
    this.closed = true;
    for (const g of this.groups.values()) {
      if (g.rebalanceTimer) clearTimeout(g.rebalanceTimer);
      for (const m of g.members.values()) this.stopSession(m);
    }
  }
}
