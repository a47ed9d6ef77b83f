/**
 * The order of the line for the provider's submission budget, as plain values: who goes next, and
 * when each place in the line should get its turn. No store and no clock: the caller passes both.
 */

/** One job waiting in line, as the order sees it. */
export interface LineEntry {
  readonly jobId: string;
  readonly guildId: string;
  readonly userId: string;
  /** When the job was asked for: first come, first served within one member's jobs. */
  readonly enqueuedAt: number;
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

/** A first-in first-out queue that does not shift its array (a line of thousands is walked in one pass). */
class Rotation<T> {
  private items: T[] = [];
  private head = 0;
  constructor(items: T[]) {
    this.items = items;
  }
  get size(): number {
    return this.items.length - this.head;
  }
  take(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head] as T;
    this.head += 1;
    // Compacted now and then, so a long rotation does not keep what it already gave out.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  putBack(item: T): void {
    this.items.push(item);
  }
}

/**
 * The order in which `entries` will be picked: round-robin across guilds, then across the members
 * of a guild, first come first served within one member. A guild or member that has not had a
 * turn yet (or had nothing waiting since) goes before those that had one; among equals, the one
 * whose oldest job is oldest. The result does not depend on the order of `entries`.
 *
 * A guild (or member) that was just served gets the newest turn of all, so it goes behind every
 * other: after one sort by (last turn, oldest job, id), the order is a plain rotation, which makes
 * ordering a line of n jobs across g guilds O(n log n) rather than O(n × g).
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
  interface Turn<T> {
    id: string;
    last: number;
    oldest: LineEntry;
    rest: T;
  }
  const inTurnOrder = <T>(a: Turn<T>, b: Turn<T>): number => (before(a.last, a.oldest, a.id, b.last, b.oldest, b.id) ? -1 : 1);
  const guildTurns: Array<Turn<Rotation<Turn<LineEntry[]>>>> = [];
  for (const [guildId, members] of guilds) {
    const memberTurns: Array<Turn<LineEntry[]>> = [];
    for (const [userId, own] of members) {
      own.sort((a, b) => byAge(b, a));
      const oldest = own.at(-1) as LineEntry;
      memberTurns.push({ id: userId, last: turns.members[memberKey(oldest)] ?? -1, oldest, rest: own });
    }
    memberTurns.sort(inTurnOrder);
    let oldest = memberTurns[0]?.oldest as LineEntry;
    for (const member of memberTurns) if (byAge(member.oldest, oldest) < 0) oldest = member.oldest;
    guildTurns.push({ id: guildId, last: turns.guilds[guildId] ?? -1, oldest, rest: new Rotation(memberTurns) });
  }
  guildTurns.sort(inTurnOrder);

  const order: LineEntry[] = [];
  const rotation = new Rotation(guildTurns);
  for (let guild = rotation.take(); guild; guild = rotation.take()) {
    const member = guild.rest.take();
    if (!member) continue;
    order.push(member.rest.pop() as LineEntry);
    if (member.rest.length > 0) guild.rest.putBack(member);
    if (guild.rest.size > 0) rotation.putBack(guild);
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
  const pickedMember = memberKey(picked);
  // Looked up, not copied: the record is read once per pick of a line that may hold thousands.
  for (const entry of stillWaiting) {
    const guildTurn = entry.guildId === picked.guildId ? count : turns.guilds[entry.guildId];
    if (guildTurn !== undefined) guilds[entry.guildId] = guildTurn;
    const key = memberKey(entry);
    const memberTurn = key === pickedMember ? count : turns.members[key];
    if (memberTurn !== undefined) members[key] = memberTurn;
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
