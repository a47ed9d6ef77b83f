/**
 * One press, one video: a Regenerate pressed, or an Edit / Extend form sent, under a finished
 * video counts once while it is handled and its job is starting; a second press meanwhile (a
 * double click, Discord delivering the press twice, two shards) starts and charges nothing.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ClosingError } from '../closing-error.js';
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

/** What a second press is told about the first: still being handled, or its video started. */
export type FirstPress = 'handling' | 'started';

/** A claim this process holds: kept alive while the press is handled, until released. */
export interface HeldClaim {
  /**
   * The press's job `startedJobId` is in line, or the press was refused or failed (null): a later
   * press is a new request — at once after a refusal; after a start, once the action's
   * `minHoldMs` passed since the start (a double click) or the started job ended (a retry after
   * it failed). Stops the renewal; a claim that meanwhile went to another press is left alone.
   */
  release(startedJobId: string | null): Promise<void>;
}

export type ClaimResult = { claimed: true; claim: HeldClaim } | { claimed: false; first: FirstPress };

export interface PressClaims {
  /**
   * Claims the press, atomically across every process sharing the store. Refused while the same
   * press is still being handled (`first: 'handling'`) or its video started a moment ago
   * (`first: 'started'`). A granted claim is renewed while it is held, however long the press
   * takes to handle (an Extend waiting for its frame), until released.
   */
  claim(press: Press): Promise<ClaimResult>;
}

export interface PressClaimOptions {
  clock?: () => number;
  /**
   * A claim not renewed for this long is let go (a process that died while handling the press);
   * one being handled is renewed every third of it.
   */
  maxHoldMs?: number;
  /**
   * How long after its job started a press still holds, per action (ms). Default 5 s for each: a
   * human double click (on a button, or on a form's Submit) lands 100–300 ms after the first,
   * and Discord delivers a press again within seconds, often when the first job has long started.
   */
  minHoldMs?: Partial<Record<PressAction, number>>;
  /** Whether a job is still on its way (not final); a held press whose job ended is let go. */
  isLive?: (jobId: string) => Promise<boolean>;
  /** Told when a renewal failed (the claim then expires by itself unless a later one lands). */
  onRenewError?: (err: unknown) => void;
}

/** A double click, or a press delivered again, comes within this after the first press's job started. */
export const PRESS_HOLD_MS = 5_000;

/**
 * A claim as stored: held until `until` (the store's TTL ends it too) by the claim `owner`, and the
 * job its press started, once it did. Claims written by earlier versions hold `at` (the press)
 * instead: held `maxHoldMs` from it.
 */
const heldSchema = z.object({
  until: z.number().optional(),
  at: z.number().optional(),
  owner: z.string().optional(),
  jobId: z.string().optional(),
});
type HeldPress = { until: number; owner?: string; jobId?: string };

function readHeld(value: unknown, maxHoldMs: number): HeldPress | undefined {
  const parsed = heldSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { until, at, owner, jobId } = parsed.data;
  const heldUntil = until ?? (at === undefined ? undefined : at + maxHoldMs);
  if (heldUntil === undefined) return undefined;
  return { until: heldUntil, ...(owner === undefined ? {} : { owner }), ...(jobId === undefined ? {} : { jobId }) };
}

const claimKey = (press: Press) => `press:${press.action}:${press.resultJobId}${press.formId ? `:${press.formId}` : ''}:${press.userId}`;

/**
 * Claims on the store: set-if-absent under the store's lock named after the claim. The store's
 * `withLock` is the existing atomic primitive on both backends (one process's keyed mutex on
 * SQLite, which serves one process; a Redis lock shared by every shard on Redis), so no backend
 * needs a new operation. A claim is renewed while its press is handled; the TTL ends one whose
 * process died meanwhile.
 */
export function createPressClaims(store: Store, options: PressClaimOptions = {}): PressClaims {
  const clock = options.clock ?? Date.now;
  const maxHoldMs = options.maxHoldMs ?? 60_000;
  const minHoldMs: Partial<Record<PressAction, number>> = options.minHoldMs ?? {
    regenerate: PRESS_HOLD_MS,
    edit: PRESS_HOLD_MS,
    extend: PRESS_HOLD_MS,
  };
  const renewEveryMs = Math.max(1, Math.floor(maxHoldMs / 3));

  /** Renews `owner`'s claim on `key` while its press is handled; stops once it is released or lost. */
  function keepAlive(key: string, owner: string): () => void {
    const stop = () => clearInterval(timer);
    const renew = () =>
      store
        .withLock(key, async (lease) => {
          const held = readHeld(await store.kv.get(key), maxHoldMs);
          if (held?.owner !== owner || held.jobId !== undefined) return stop();
          await store.commit([{ key, value: { until: clock() + maxHoldMs, owner } satisfies HeldPress, ttl: maxHoldMs }], [lease]);
        })
        .catch((err: unknown) => {
          // The store is closing (the process stops): the claim expires by itself.
          if (err instanceof ClosingError) stop();
          else options.onRenewError?.(err);
        });
    const timer = setInterval(() => void renew(), renewEveryMs);
    // A press still handled when the process stops must not keep it running.
    timer.unref();
    return stop;
  }

  return {
    claim(press) {
      const key = claimKey(press);
      return store.withLock(key, async (lease): Promise<ClaimResult> => {
        const held = readHeld(await store.kv.get(key), maxHoldMs);
        const fresh = held !== undefined && clock() < held.until;
        const ended = fresh && held.jobId !== undefined && options.isLive !== undefined && !(await options.isLive(held.jobId));
        if (fresh && !ended) return { claimed: false, first: held.jobId === undefined ? 'handling' : 'started' };
        const owner = randomUUID();
        // Claimed only while the lock is still ours (checked with the write on Redis): a holder
        // that stalled past its lease must not take a press another process claimed meanwhile.
        await store.commit([{ key, value: { until: clock() + maxHoldMs, owner } satisfies HeldPress, ttl: maxHoldMs }], [lease]);
        const stopRenewing = keepAlive(key, owner);
        return {
          claimed: true,
          claim: {
            async release(startedJobId) {
              stopRenewing();
              await store.withLock(key, async (releaseLease) => {
                if (readHeld(await store.kv.get(key), maxHoldMs)?.owner !== owner) return;
                // Held on from the start (not the press): an Extend may start long after it was sent.
                const hold = minHoldMs[press.action] ?? 0;
                if (startedJobId === null || hold <= 0) await store.commit([], [releaseLease], { remove: [key] });
                else {
                  const started: HeldPress = { until: clock() + hold, owner, jobId: startedJobId };
                  await store.commit([{ key, value: started, ttl: hold }], [releaseLease]);
                }
              });
            },
          },
        };
      });
    },
  };
}
