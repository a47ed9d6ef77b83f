import { z } from 'zod';
import type { JobReporter } from '../jobs/reporter.js';
import type { FailureReason } from '../jobs/job.js';
import type { VideoProvider } from '../provider/types.js';
import { readValidated } from '../quota/record-io.js';
import type { Store } from '../store/types.js';
import type { AdminEventSink, ProviderTrouble } from './events.js';

/** The provider must have been failing this long before a failed video counts as an outage. */
export const OUTAGE_AFTER_MS = 5 * 60_000;

const incidentSchema = z.object({ trouble: z.enum(['auth', 'payment', 'outage']), since: z.number() });
/** `alerts:incident:<guildId>`: the provider trouble already announced to this server, until a video gets through. */
type Incident = z.infer<typeof incidentSchema>;
const incidentKey = (guildId: string) => `alerts:incident:${guildId}`;

interface IncidentDeps {
  store: Store;
  events: AdminEventSink;
  clock: () => number;
  outageAfterMs?: number;
}

/**
 * Tells a server's admins, once per incident, when provider trouble stops its videos: the bot's
 * key refused (`auth`), the provider balance empty (`payment`), or the provider failing for more
 * than {@link OUTAGE_AFTER_MS} (`outage`). An incident is kept in the store (so a restart or
 * another shard does not announce it again) and ends when one of the server's videos is delivered.
 */
export function createProviderIncidents(deps: IncidentDeps) {
  const outageAfterMs = deps.outageAfterMs ?? OUTAGE_AFTER_MS;
  // When the provider's calls in this process started failing without a success since; null = healthy.
  let failingSince: number | null = null;
  const observe = (ok: boolean, transient: boolean) => {
    if (ok) failingSince = null;
    else if (transient) failingSince ??= deps.clock();
  };
  const TRANSIENT = new Set(['server', 'network', 'timeout', 'rate_limited', 'bad_response']);

  const troubleOf = (reason: FailureReason | undefined): ProviderTrouble | null => {
    if (reason === 'auth' || reason === 'payment') return reason;
    if ((reason === 'busy' || reason === 'network') && failingSince !== null && deps.clock() - failingSince >= outageAfterMs)
      return 'outage';
    return null;
  };

  async function open(guildId: string, trouble: ProviderTrouble): Promise<void> {
    const fresh = await deps.store.withLock(incidentKey(guildId), async (lease) => {
      const current: Incident | undefined = await readValidated(deps.store.kv, incidentKey(guildId), incidentSchema);
      if (current?.trouble === trouble) return null;
      const incident = { trouble, since: trouble === 'outage' ? (failingSince ?? deps.clock()) : deps.clock() };
      // Only while the lock is still ours (checked with the write on Redis): one announcement per incident.
      await deps.store.commit([{ key: incidentKey(guildId), value: incident }], [lease]);
      return incident;
    });
    if (fresh) deps.events.emit(guildId, { kind: 'provider_trouble', ...fresh });
  }

  async function close(guildId: string): Promise<void> {
    if ((await deps.store.kv.get(incidentKey(guildId))) === undefined) return;
    await deps.store.withLock(incidentKey(guildId), (lease) => deps.store.commit([], [lease], { remove: [incidentKey(guildId)] }));
  }

  return {
    /** The same provider, watched for a run of failures (any guild's calls count). */
    provider(provider: VideoProvider): VideoProvider {
      return {
        async submit(request, options) {
          const result = await provider.submit(request, options);
          observe(result.ok, !result.ok && TRANSIENT.has(result.error.kind));
          return result;
        },
        async getStatus(taskId, options) {
          const result = await provider.getStatus(taskId, options);
          observe(result.ok, !result.ok && TRANSIENT.has(result.error.kind));
          return result;
        },
        close: () => provider.close(),
      };
    },
    /**
     * The same reporter, opening an incident when a job fails for provider trouble and closing it
     * when a video of the server is delivered. Incident bookkeeping never fails the job's ending.
     */
    reporter(reporter: JobReporter, onError: (err: unknown) => void): JobReporter {
      return {
        ...reporter,
        progress: (job, view) => reporter.progress(job, view),
        async deliver(job, video) {
          const outcome = await reporter.deliver(job, video);
          if (outcome !== 'failed') await close(job.guildId).catch(onError);
          return outcome;
        },
        async failed(job, options) {
          const told = await reporter.failed(job, options);
          const trouble = troubleOf(job.failure?.reason);
          if (trouble) await open(job.guildId, trouble).catch(onError);
          return told;
        },
      };
    },
  };
}
