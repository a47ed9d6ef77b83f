/**
 * One press per result per member: a Regenerate (or an Edit / Extend form sent) under a finished
 * video counts once while the job it starts is starting; a second press meanwhile (a double click,
 * Discord delivering the click twice, two shards) is told it already started.
 */
import type { Store } from '../store/types.js';

/** What was pressed under the finished video `resultJobId`. */
export type PressAction = 'regenerate' | 'edit' | 'extend';

export interface PressClaims {
  /**
   * Claims the press; false when the same member's same press under the same result is still
   * being started. Atomic across every process sharing the store.
   */
  claim(resultJobId: string, userId: string, action: PressAction): Promise<boolean>;
  /**
   * The press's job `startedJobId` is in line, or the press was refused or failed (null): a later
   * press is a new request — at once after a refusal; after a start, once the action's `minHoldMs`
   * passed (a double click) or the started job ended (a retry after it failed).
   */
  release(resultJobId: string, userId: string, action: PressAction, startedJobId?: string | null): Promise<void>;
}

export interface PressClaimOptions {
  clock?: () => number;
  /** A claim never outlives this (a process that died while starting the job). */
  maxHoldMs?: number;
  /**
   * Nor ends sooner than this after the press, per action (ms). Default: Regenerate 5 s (the
   * same settings again within 5 s is a double click: a human one lands 100–300 ms after the
   * first, when the first job has long started); Edit and Extend 0 (each is a form sent with its
   * own prompt, so a deliberate second one right after the first started is a new request).
   */
  minHoldMs?: Partial<Record<PressAction, number>>;
  /** Whether a job is still on its way (not final); a held press whose job ended is let go. */
  isLive?: (jobId: string) => Promise<boolean>;
}

const claimKey = (resultJobId: string, userId: string, action: PressAction) => `press:${action}:${resultJobId}:${userId}`;

/**
 * Claims on the store: set-if-absent under the store's lock named after the claim. The store's
 * `withLock` is the existing atomic primitive on both backends (one process's keyed mutex on
 * SQLite, which serves one process; a Redis lock shared by every shard on Redis), so no backend
 * needs a new operation; the TTL ends a claim its process never released.
 */
export function createPressClaims(store: Store, options: PressClaimOptions = {}): PressClaims {
  const clock = options.clock ?? Date.now;
  const maxHoldMs = options.maxHoldMs ?? 60_000;
  const minHoldMs: Partial<Record<PressAction, number>> = options.minHoldMs ?? { regenerate: 5_000 };
  return {
    claim(resultJobId, userId, action) {
      const key = claimKey(resultJobId, userId, action);
      return store.withLock(key, async () => {
        const held = (await store.kv.get(key)) as { at?: unknown; jobId?: unknown } | undefined;
        const fresh = held !== undefined && typeof held.at === 'number' && clock() - held.at < maxHoldMs;
        const ended = fresh && typeof held.jobId === 'string' && options.isLive !== undefined && !(await options.isLive(held.jobId));
        if (fresh && !ended) return false;
        await store.kv.set(key, { at: clock() }, maxHoldMs);
        return true;
      });
    },
    async release(resultJobId, userId, action, startedJobId = null) {
      const key = claimKey(resultJobId, userId, action);
      await store.withLock(key, async () => {
        const held = (await store.kv.get(key)) as { at?: unknown } | undefined;
        if (!held || typeof held.at !== 'number') return;
        const left = startedJobId === null ? 0 : held.at + (minHoldMs[action] ?? 0) - clock();
        if (left > 0) await store.kv.set(key, { at: held.at, jobId: startedJobId }, left);
        else await store.kv.delete(key);
      });
    },
  };
}
