import { jobSchema, isFinal, type Job } from './job.js';
import type { Store, StoreEntry } from '../store/types.js';
import type { LineEntry } from './line-order.js';

const ACTIVE_SET = 'jobs:active';
/**
 * Jobs in line for the provider's submission budget (state `waiting`); see `submit-line.ts`. Each
 * member carries what the line's order needs (`id|guild|member|asked at`), so ordering the line
 * reads no job records.
 */
const WAITING_SET = 'jobs:waiting';
const lineMember = (job: Pick<Job, 'id' | 'guildId' | 'userId' | 'createdAt'>): string =>
  `${job.id}|${job.guildId}|${job.userId}|${job.createdAt}`;
const parseLineMember = (member: string): LineEntry | undefined => {
  const [jobId, guildId, userId, at] = member.split('|');
  const enqueuedAt = Number(at);
  return jobId && guildId && userId && Number.isFinite(enqueuedAt) ? { jobId, guildId, userId, enqueuedAt } : undefined;
};
const jobKey = (id: string) => `job:${id}`;
// Finished jobs stay readable for buttons (regenerate, delete) and /videos. The history sweep
// removes them after HISTORY_DAYS; this TTL is only a backstop for records it does not know.
const DEFAULT_FINISHED_TTL_MS = 37 * 24 * 60 * 60_000;

export interface JobRepository {
  /**
   * The job's record, validated; undefined when there is none or it cannot be read (not JSON, or
   * not this version's shape: `exists` tells them apart).
   * @throws the store's own errors (an outage, a closed store).
   */
  get(id: string): Promise<Job | undefined>;
  /**
   * True when a record is stored under the id, readable by this version or not (a newer version's
   * record during a rolling upgrade is left to it). A row that is not JSON at all (torn or
   * hand-edited) is no version's record: false, so it is treated as gone (its credits released).
   */
  exists(id: string): Promise<boolean>;
  /**
   * Writes the record and keeps the index of jobs that are not final in step with it. A copy whose
   * reply has no message id keeps the one the stored record has by then (learned meanwhile).
   */
  save(job: Job): Promise<void>;
  /**
   * Reads, changes and writes one job under its lock, so the poller and a button never interleave.
   * `change` returning undefined (or the job itself) writes nothing. Resolves to the job as stored
   * after it (undefined when there is no readable record).
   *
   * @throws LockLeaseLostError (nothing written) when the lock's lease was lost meanwhile;
   *   what the store throws.
   */
  update(id: string, change: (job: Job) => Job | undefined): Promise<Job | undefined>;
  activeIds(): Promise<string[]>;
  /** Jobs indexed as waiting in line; may hold a few that moved on meanwhile (check their state). */
  waitingEntries(): Promise<LineEntry[]>;
  /** Takes a job that is not waiting any more (or has no record) out of the line's index. */
  unlist(entry: LineEntry): Promise<void>;
  delete(id: string): Promise<void>;
  /** The record of `job` as one entry of an atomic multi-record write (see `endJob`). */
  entryFor(job: Job): StoreEntry;
  /**
   * The index entries (set, member) a new record of `job` needs, to be added with it (see
   * `CommitOptions.addToSets`): what {@link index} would add.
   */
  indexEntriesFor(job: Job): Array<[string, string]>;
  /** Brings the index in step with `job` after it was written through `entryFor`. */
  index(job: Job): Promise<void>;
  /** Runs `fn` under the job's lock (the one `update` takes). */
  withLock<T>(id: string, fn: (lease: AbortSignal) => Promise<T>): Promise<T>;
}

/** A job stays indexed while it is not final or still owes its member a message (its outbox). */
const indexed = (job: Job): boolean => !isFinal(job.state) || job.outbox !== null;

/**
 * Job records in the store, validated on the way back in. `finishedTtlMs`: how long a final
 * record may live at most (default 37 days; the history sweep normally removes it earlier).
 */
export function createJobRepository(store: Store, options: { finishedTtlMs?: number } = {}): JobRepository {
  const finishedTtlMs = options.finishedTtlMs ?? DEFAULT_FINISHED_TTL_MS;
  // Line members as parsed, by their text (which never changes): the dispatcher reads the whole
  // line on every turn (whether anything waits, the pick, the places shown), so each member is
  // split once instead of on every read. null: a member that does not parse (skipped).
  const parsedMembers = new Map<string, LineEntry | null>();
  const parse = (raw: unknown): Job | undefined => {
    if (raw === undefined) return undefined;
    const parsed = jobSchema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  };
  // A record that is not JSON at all (a torn or hand-edited row) reads as no record: recovery and
  // the sweep release its credits and recovery drops it, instead of the whole start failing on it
  // (a crash loop under systemd). The store's own errors (an outage) are thrown as before.
  const readRaw = async (id: string): Promise<{ raw: unknown } | 'not json'> => {
    try {
      return { raw: await store.kv.get(jobKey(id)) };
    } catch (err) {
      if (err instanceof SyntaxError) return 'not json';
      throw err;
    }
  };
  const get = async (id: string): Promise<Job | undefined> => {
    const read = await readRaw(id);
    return read === 'not json' ? undefined : parse(read.raw);
  };
  const entryFor = (job: Job): StoreEntry => ({ key: jobKey(job.id), value: job, ...(isFinal(job.state) ? { ttl: finishedTtlMs } : {}) });
  // The index entries a record of `job` needs: in the index of jobs in flight while it is, in the
  // line's while it waits.
  const indexEntriesFor = (job: Job): Array<[string, string]> => [
    ...(indexed(job) ? [[ACTIVE_SET, job.id] as [string, string]] : []),
    ...(job.state === 'waiting' ? [[WAITING_SET, lineMember(job)] as [string, string]] : []),
  ];
  const index = async (job: Job): Promise<void> => {
    for (const [key, member] of indexEntriesFor(job)) await store.addToSet(key, member);
    if (!indexed(job)) await store.removeFromSet(ACTIVE_SET, job.id);
    // A job leaves the line only to be submitted or to end: other saves skip the round trip.
    if (job.state === 'submitting' || isFinal(job.state)) await store.removeFromSet(WAITING_SET, lineMember(job));
  };
  const save = async (job: Job): Promise<void> => {
    if (job.reply.messageId !== null) {
      const entry = entryFor(job);
      await store.kv.set(entry.key, entry.value, entry.ttl);
    } else {
      // A copy read before the reply's id was learned (JobService.learnReplyId, from an edit's
      // answer, while the poller waited on the provider) keeps the id the record has by now; read
      // and written under the job's lock, which learnReplyId takes too, so it cannot land between
      // the two. Only jobs whose reads of their reply all failed have no id: the lock and the
      // extra read are theirs alone.
      await store.withLock(jobKey(job.id), async (lease) => {
        const known = (await get(job.id))?.reply.messageId;
        await store.commit([entryFor(known ? { ...job, reply: { ...job.reply, messageId: known } } : job)], [lease]);
      });
    }
    await index(job);
  };
  return {
    get,
    exists: async (id) => {
      const read = await readRaw(id);
      return read !== 'not json' && read.raw !== undefined;
    },
    save,
    // The record is read as the lock is taken (one round trip on Redis) and written only while
    // the lock is still this holder's (checked by the store in the same step as the write).
    update: async (id, change) => {
      let readIt = false;
      try {
        return await store.withLock(
          jobKey(id),
          async (lease, read) => {
            readIt = true;
            const current = read ? parse(read[0]) : await get(id);
            if (!current) return undefined;
            const next = change(current);
            if (!next || next === current) return current;
            await store.commit([entryFor(next)], [lease]);
            await index(next);
            return next;
          },
          [jobKey(id)],
        );
      } catch (err) {
        // The store decodes the record it reads with the lock: one that is not JSON is no record
        // here either (as for `get`), not a failure of the caller's change.
        if (!readIt && err instanceof SyntaxError) return undefined;
        throw err;
      }
    },
    activeIds: () => store.setMembers(ACTIVE_SET),
    waitingEntries: async () => {
      const members = await store.setMembers(WAITING_SET);
      const entries: LineEntry[] = [];
      for (const member of members) {
        let entry = parsedMembers.get(member);
        if (entry === undefined) {
          entry = parseLineMember(member) ?? null;
          parsedMembers.set(member, entry);
        }
        if (entry) entries.push(entry);
      }
      // Members that left the line are forgotten once they outnumber those in it.
      if (parsedMembers.size > 2 * members.length + 64) {
        const inLine = new Set(members);
        for (const member of parsedMembers.keys()) if (!inLine.has(member)) parsedMembers.delete(member);
      }
      return entries;
    },
    unlist: (entry) =>
      store.removeFromSet(
        WAITING_SET,
        lineMember({ id: entry.jobId, guildId: entry.guildId, userId: entry.userId, createdAt: entry.enqueuedAt }),
      ),
    entryFor,
    indexEntriesFor,
    index,
    withLock: (id, fn) => store.withLock(jobKey(id), fn),
    delete: async (id) => {
      await store.kv.delete(jobKey(id));
      await store.removeFromSet(ACTIVE_SET, id);
    },
  };
}
