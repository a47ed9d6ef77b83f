import { jobSchema, isFinal, type Job } from './job.js';
import type { Store } from '../store/types.js';

const ACTIVE_SET = 'jobs:active';
const jobKey = (id: string) => `job:${id}`;
// Finished jobs stay readable for buttons (regenerate, delete) for a month.
const FINISHED_TTL_MS = 30 * 24 * 60 * 60_000;

export interface JobRepository {
  get(id: string): Promise<Job | undefined>;
  /** True when a record is stored under the id, readable or not. */
  exists(id: string): Promise<boolean>;
  /** Writes the record and keeps the index of jobs that are not final in step with it. */
  save(job: Job): Promise<void>;
  /** Reads, changes and writes one job under its lock, so the poller and a button never interleave. */
  update(id: string, change: (job: Job) => Job | undefined): Promise<Job | undefined>;
  activeIds(): Promise<string[]>;
  delete(id: string): Promise<void>;
}

/** Job records in the store, validated on the way back in. */
export function createJobRepository(store: Store): JobRepository {
  const get = async (id: string): Promise<Job | undefined> => {
    const raw = await store.kv.get(jobKey(id));
    if (raw === undefined) return undefined;
    const parsed = jobSchema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  };
  const save = async (job: Job): Promise<void> => {
    const final = isFinal(job.state);
    await store.kv.set(jobKey(job.id), job, final ? FINISHED_TTL_MS : undefined);
    if (final) await store.removeFromSet(ACTIVE_SET, job.id);
    else await store.addToSet(ACTIVE_SET, job.id);
  };
  return {
    get,
    exists: async (id) => (await store.kv.get(jobKey(id))) !== undefined,
    save,
    update: (id, change) =>
      store.withLock(jobKey(id), async () => {
        const current = await get(id);
        if (!current) return undefined;
        const next = change(current);
        if (!next || next === current) return current;
        await save(next);
        return next;
      }),
    activeIds: () => store.setMembers(ACTIVE_SET),
    delete: async (id) => {
      await store.kv.delete(jobKey(id));
      await store.removeFromSet(ACTIVE_SET, id);
    },
  };
}
