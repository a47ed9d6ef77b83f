import { z } from 'zod';
import type { Store } from '../store/types.js';
import { DURATIONS, MODELS, RESOLUTIONS } from '../video/request.js';
import { typicalDuration, type TypicalDuration } from './progress.js';
import { costKeyString } from '../quota/costs.js';

type EtaKey = Parameters<TypicalDuration>[0];

/** How learned generation times are kept and when they are trusted. */
export interface EtaStatsOptions {
  /** Weight of the newest sample in the moving average (default 0.2). */
  alpha?: number;
  /** Samples needed before the average replaces the published time (default 3). */
  minSamples?: number;
  /** Runs shorter than this many seconds are ignored as glitches (default 5). */
  minSeconds?: number;
  /** Runs longer than this many seconds are ignored as stuck tasks (default 3600). */
  maxSeconds?: number;
  /** Where estimates come from until enough samples exist (default the published times). */
  fallback?: TypicalDuration;
}

/** Real generation times by model, resolution and duration, learned from delivered jobs. */
export interface EtaStats {
  /**
   * Seconds a job with these settings should take: the learned average once trusted, else the
   * published time. Synchronous, for the progress bar; carries `learned` for computeProgress.
   */
  typical: TypicalDuration;
  /** The learned average in seconds, or undefined while there are too few samples. */
  learned(request: EtaKey): number | undefined;
  /** Records one real run (seconds from submission to completion); out-of-bounds runs are ignored. */
  learn: (request: EtaKey, seconds: number) => Promise<void>;
  /** Reads every stored average into memory; call once at start. */
  load(): Promise<void>;
  /**
   * Re-reads the stored averages every `everyMs`, so processes sharing a store (shards on Redis)
   * also use what the others learned. Returns the function that stops it (and waits for a reload
   * in progress, so none runs on a closed store).
   */
  follow(everyMs: number, onError?: (err: unknown) => void): () => Promise<void>;
}

const recordSchema = z.object({
  averageS: z.number().positive().finite(),
  samples: z.number().int().positive(),
});
type EtaRecord = z.infer<typeof recordSchema>;

const id = (request: EtaKey) => costKeyString(request);
const storeKey = (request: EtaKey) => `eta:${id(request)}`;

/**
 * Builds the learned-ETA table on the store (keys `eta:<model>:<resolution>:<duration>`). Updates
 * are read-modify-write under the key's lock, so shards sharing a Redis store never lose a sample;
 * an in-memory copy keeps `typical` synchronous for the progress bar.
 */
export function createEtaStats(store: Store, options: EtaStatsOptions = {}): EtaStats {
  const alpha = options.alpha ?? 0.2;
  const minSamples = options.minSamples ?? 3;
  const minSeconds = options.minSeconds ?? 5;
  const maxSeconds = options.maxSeconds ?? 3600;
  const fallback = options.fallback ?? typicalDuration;
  const memory = new Map<string, EtaRecord>();

  // A record that fails validation (hand-edited, older shape) is treated as absent, not trusted.
  const read = async (request: EtaKey): Promise<EtaRecord | undefined> => {
    const parsed = recordSchema.safeParse(await store.kv.get(storeKey(request)));
    return parsed.success ? parsed.data : undefined;
  };

  const learned = (request: EtaKey): number | undefined => {
    const record = memory.get(id(request));
    return record && record.samples >= minSamples ? Math.round(record.averageS) : undefined;
  };

  const load = async () => {
    const settings = MODELS.flatMap((model) =>
      RESOLUTIONS.flatMap((resolution) => DURATIONS.map((duration) => ({ model, resolution, duration }))),
    );
    const records = await Promise.all(settings.map(async (request) => [id(request), await read(request)] as const));
    for (const [key, record] of records) {
      // Samples only grow: an older read must not undo what `learn` cached while this one ran.
      const cached = memory.get(key);
      if (record && (!cached || record.samples >= cached.samples)) memory.set(key, record);
    }
  };

  return {
    // `learned` rides along so computeProgress can rank it above the provider's generic estimate.
    typical: Object.assign((request: EtaKey) => learned(request) ?? fallback(request), { learned }),
    learned,
    async learn(request, seconds) {
      if (!Number.isFinite(seconds) || seconds < minSeconds || seconds > maxSeconds) return;
      const key = storeKey(request);
      await store.withLock(key, async (lease) => {
        // Read the stored value rather than the memory copy: another process may have learned too.
        const current = await read(request);
        const next: EtaRecord = current
          ? { averageS: alpha * seconds + (1 - alpha) * current.averageS, samples: current.samples + 1 }
          : { averageS: seconds, samples: 1 };
        // Only while the lock is still ours (checked with the write on Redis): a holder that stalled
        // past its lease would count a sample over another process' newer average.
        await store.commit([{ key, value: next }], [lease]);
        memory.set(id(request), next);
      });
    },
    load,
    follow(everyMs, onError) {
      let loading: Promise<void> | undefined;
      const timer = setInterval(() => {
        loading ??= load()
          .catch((err: unknown) => onError?.(err))
          .finally(() => (loading = undefined));
      }, everyMs);
      timer.unref();
      return async () => {
        clearInterval(timer);
        await loading;
      };
    },
  };
}
