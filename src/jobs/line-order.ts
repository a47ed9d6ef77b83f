/**
 * The order of the line for the provider's submission budget, as plain values: who goes next, and
 * when each place in the line should get its turn. No store and no clock: the caller passes both.
 */

/** One job waiting in line, as the order sees it. */
export interface LineEntry {
  jobId: string;
  guildId: string;
  userId: string;
  /** When the job was asked for: first come, first served within one member's jobs. */
  enqueuedAt: number;
}

/**
 * Whose turn came when. Every pick increments `count`; the guild and the member picked remember
 * that number, so the guild (then the member) that waited longest since its last turn goes next.
 * `recent` holds the times of the latest picks (at most one budget's worth) for start estimates.
 */
export interface Turns {
  count: number;
  guilds: Record<string, number>;
  members: Record<string, number>;
  recent: number[];
}

export const NO_TURNS: Turns = { count: 0, guilds: {}, members: {}, recent: [] };

/** At most `limit` submissions in any `windowMs` (XCOMPUTE_MAX_RPM). */
export interface SubmitBudget {
  limit: number;
  windowMs: number;
}

const memberKey = (entry: Pick<LineEntry, 'guildId' | 'userId'>): string => `${entry.guildId}:${entry.userId}`;

const byAge = (a: LineEntry, b: LineEntry): number => a.enqueuedAt - b.enqueuedAt || (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0);

/** Compares two candidates: the older last turn first (never served: -1), then the older job, then the id. */
const before = (lastA: number, oldestA: LineEntry, idA: string, lastB: number, oldestB: LineEntry, idB: string): boolean =>
  lastA !== lastB ? lastA < lastB : byAge(oldestA, oldestB) !== 0 ? byAge(oldestA, oldestB) < 0 : idA < idB;

/**
 * The order in which `entries` will be picked: round-robin across guilds, then across the members
 * of a guild, first come first served within one member. A guild or member that has not had a
 * turn yet (or had nothing waiting since) goes before those that had one; among equals, the one
 * whose oldest job is oldest. The result does not depend on the order of `entries`.
 */
export function lineOrder(entries: readonly LineEntry[], turns: Turns): LineEntry[] {
  // guild → member → that member's jobs, oldest last (popped from the end).
  const guilds = new Map<string, Map<string, LineEntry[]>>();
  for (const entry of entries) {
    const members = guilds.get(entry.guildId) ?? new Map<string, LineEntry[]>();
    guilds.set(entry.guildId, members);
    const own = members.get(entry.userId) ?? [];
    members.set(entry.userId, own);
    own.push(entry);
  }
  for (const members of guilds.values()) for (const own of members.values()) own.sort((a, b) => byAge(b, a));
  const lastGuild = new Map(Object.entries(turns.guilds));
  const lastMember = new Map(Object.entries(turns.members));
  const oldestOf = (members: Map<string, LineEntry[]>): LineEntry => {
    let oldest: LineEntry | undefined;
    for (const own of members.values()) {
      const head = own.at(-1);
      if (head && (!oldest || byAge(head, oldest) < 0)) oldest = head;
    }
    return oldest as LineEntry;
  };

  const order: LineEntry[] = [];
  let count = turns.count;
  // Each guild's oldest waiting job changes only when that guild is served: kept, not recomputed.
  const oldestIn = new Map([...guilds].map(([id, members]) => [id, oldestOf(members)]));
  while (guilds.size > 0) {
    let best: { id: string; members: Map<string, LineEntry[]>; last: number; oldest: LineEntry } | undefined;
    for (const [id, members] of guilds) {
      const last = lastGuild.get(id) ?? -1;
      const oldest = oldestIn.get(id) as LineEntry;
      if (!best || before(last, oldest, id, best.last, best.oldest, best.id)) best = { id, members, last, oldest };
    }
    if (!best) break;
    let member: { id: string; own: LineEntry[]; last: number } | undefined;
    for (const [id, own] of best.members) {
      const last = lastMember.get(`${best.id}:${id}`) ?? -1;
      const head = own.at(-1) as LineEntry;
      if (!member || before(last, head, id, member.last, member.own.at(-1) as LineEntry, member.id)) member = { id, own, last };
    }
    if (!member) break;
    const next = member.own.pop() as LineEntry;
    order.push(next);
    count += 1;
    lastGuild.set(best.id, count);
    lastMember.set(memberKey(next), count);
    if (member.own.length === 0) best.members.delete(member.id);
    if (best.members.size === 0) guilds.delete(best.id);
    else oldestIn.set(best.id, oldestOf(best.members));
  }
  return order;
}

/** The first of {@link lineOrder} (the next to go), found in one pass over the line. */
export function nextInLine(entries: readonly LineEntry[], turns: Turns): LineEntry | undefined {
  const guilds = new Map<string, LineEntry>();
  for (const entry of entries) {
    const oldest = guilds.get(entry.guildId);
    if (!oldest || byAge(entry, oldest) < 0) guilds.set(entry.guildId, entry);
  }
  let guild: { id: string; last: number; oldest: LineEntry } | undefined;
  for (const [id, oldest] of guilds) {
    const last = turns.guilds[id] ?? -1;
    if (!guild || before(last, oldest, id, guild.last, guild.oldest, guild.id)) guild = { id, last, oldest };
  }
  if (!guild) return undefined;
  const members = new Map<string, LineEntry>();
  for (const entry of entries) {
    if (entry.guildId !== guild.id) continue;
    const oldest = members.get(entry.userId);
    if (!oldest || byAge(entry, oldest) < 0) members.set(entry.userId, entry);
  }
  let member: { id: string; last: number; oldest: LineEntry } | undefined;
  for (const [id, oldest] of members) {
    const last = turns.members[memberKey(oldest)] ?? -1;
    if (!member || before(last, oldest, id, member.last, member.oldest, member.id)) member = { id, last, oldest };
  }
  return member?.oldest;
}

/**
 * The turns after `picked` went at `at`. Guilds and members with nothing left waiting (`stillWaiting`,
 * the line after the pick) are forgotten, so the record stays as small as the line: one that comes
 * back later counts as not served yet, which puts it next, once.
 */
export function takeTurn(turns: Turns, picked: LineEntry, at: number, stillWaiting: readonly LineEntry[], budget: SubmitBudget): Turns {
  const count = turns.count + 1;
  const guilds: Record<string, number> = {};
  const members: Record<string, number> = {};
  const all = { ...turns.guilds, [picked.guildId]: count };
  const allMembers = { ...turns.members, [memberKey(picked)]: count };
  for (const entry of stillWaiting) {
    const guildTurn = all[entry.guildId];
    if (guildTurn !== undefined) guilds[entry.guildId] = guildTurn;
    const memberTurn = allMembers[memberKey(entry)];
    if (memberTurn !== undefined) members[memberKey(entry)] = memberTurn;
  }
  const recent = [...turns.recent.filter((t) => t > at - budget.windowMs), at].slice(-budget.limit);
  return { count, guilds, members, recent };
}

/**
 * When each of the next `count` picks may go, under a sliding-window budget that already let the
 * `recent` picks through: the next one may go once the pick `limit` places before it is
 * `windowMs` old. An estimate: another process' picks, a 429 or a cancellation move it.
 */
export function startTimes(count: number, recent: readonly number[], budget: SubmitBudget, now: number): number[] {
  const sends = recent.filter((t) => t > now - budget.windowMs).sort((a, b) => a - b);
  const starts: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const earlier = sends[sends.length - budget.limit];
    const at = earlier === undefined ? now : Math.max(now, earlier + budget.windowMs);
    sends.push(at);
    starts.push(at);
  }
  return starts;
}
