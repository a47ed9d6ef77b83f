/**
 * One press, one video: a Regenerate pressed, or an Edit / Extend form sent, under a finished
 * video counts once while the job it starts is starting; a second press meanwhile (a double click,
 * Discord delivering the press twice, two shards) starts and charges nothing.
 */
import { z } from 'zod';
import type { Store } from '../store/types.js';

/** What was pressed under the finished video. */
export type PressAction = 'regenerate' | 'edit' | 'extend';

/** One press: who pressed what under the finished video `resultJobId`. */
export interface Press {
  resultJobId: string;
  userId: string;
  action: PressAction;
  /**
   * The form the press sent (Edit, Extend): each opened form is its own press, so sending one form
   * twice counts once, and opening the form again is a new request. Absent for Regenerate (and for
   * forms opened before forms had ids): the press is the member's button under that video.
   */
  formId?: string | null;
}

export interface PressClaims {
  /**
   * Claims the press; false when the same press is still being started. Atomic across every
   * process sharing the store.
   */
  claim(press: Press): Promise<boolean>;
  /**
   * The press's job `startedJobId` is in line, or the press was refused or failed (null): a later
   * press is a new request — at once after a refusal; after a start, once the action's
   * `minHoldMs` passed since the start (a double click) or the started job ended (a retry after
   * it failed).
   */
  release(press: Press, startedJobId?: string | null): Promise<void>;
}

export interface PressClaimOptions {
  clock?: () => number;
  /** A claim never outlives this (a process that died while starting the job). */
  maxHoldMs?: number;
  /**
   * How long after its job started a press still holds, per action (ms). Default 5 s for each: a
   * human double click (on a button, or on a form's Submit) lands 100–300 ms after the first,
   * and Discord delivers a press again within seconds, often when the first job has long started.
   */
  minHoldMs?: Partial<Record<PressAction, number>>;
  /** Whether a job is still on its way (not final); a held press whose job ended is let go. */
  isLive?: (jobId: string) => Promise<boolean>;
}

/** A double click, or a press delivered again, comes within this after the first press's job started. */
export const PRESS_HOLD_MS = 5_000;

/**
 * A claim as stored: held until `until` (the store's TTL ends it too), and the job its press
 * started, once it did. Claims written by earlier versions hold `at` (the press) instead: held
 * `maxHoldMs` from it.
 */
const heldSchema = z.object({
  until: z.number().optional(),
  at: z.number().optional(),
  jobId: z.string().optional(),
});
type HeldPress = { until: number; jobId?: string };

function readHeld(value: unknown, maxHoldMs: number): HeldPress | undefined {
  const parsed = heldSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { until, at, jobId } = parsed.data;
  const heldUntil = until ?? (at === undefined ? undefined : at + maxHoldMs);
  if (heldUntil === undefined) return undefined;
  return jobId === undefined ? { until: heldUntil } : { until: heldUntil, jobId };
}

const claimKey = (press: Press) => `press:${press.action}:${press.resultJobId}${press.formId ? `:${press.formId}` : ''}:${press.userId}`;

/**
 * Claims on the store: set-if-absent under the store's lock named after the claim. The store's
 * `withLock` is the existing atomic primitive on both backends (one process's keyed mutex on
 * SQLite, which serves one process; a Redis lock shared by every shard on Redis), so no backend
 * needs a new operation; the TTL ends a claim its process never released.
 */
export function createPressClaims(store: Store, options: PressClaimOptions = {}): PressClaims {
  const clock = options.clock ?? Date.now;
  const maxHoldMs = options.maxHoldMs ?? 60_000;
  const minHoldMs: Partial<Record<PressAction, number>> = options.minHoldMs ?? {
    regenerate: PRESS_HOLD_MS,
    edit: PRESS_HOLD_MS,
    extend: PRESS_HOLD_MS,
  };
  return {
    claim(press) {
      const key = claimKey(press);
      return store.withLock(key, async () => {
        const held = readHeld(await store.kv.get(key), maxHoldMs);
        const fresh = held !== undefined && clock() < held.until;
        const ended = fresh && held.jobId !== undefined && options.isLive !== undefined && !(await options.isLive(held.jobId));
        if (fresh && !ended) return false;
        await store.kv.set(key, { until: clock() + maxHoldMs } satisfies HeldPress, maxHoldMs);
        return true;
      });
    },
    async release(press, startedJobId = null) {
      const key = claimKey(press);
      await store.withLock(key, async () => {
        if (!readHeld(await store.kv.get(key), maxHoldMs)) return;
        // Held on from the start (not the press): an Extend may start long after it was sent.
        const hold = minHoldMs[press.action] ?? 0;
        if (startedJobId === null || hold <= 0) await store.kv.delete(key);
        else await store.kv.set(key, { until: clock() + hold, jobId: startedJobId } satisfies HeldPress, hold);
      });
    },
  };
}
