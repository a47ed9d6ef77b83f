import { describe, expect, it } from 'vitest';
import type { AdminEvent } from '../../src/alerts/events.js';
import { createProviderIncidents, OUTAGE_AFTER_MS } from '../../src/alerts/provider-incidents.js';
import type { JobReporter } from '../../src/jobs/reporter.js';
import type { Job } from '../../src/jobs/job.js';
import type { ProviderError, VideoProvider } from '../../src/provider/types.js';
import { openStore } from '../../src/store/open-store.js';
import { sampleJob } from '../support/jobs.js';

const serverError: ProviderError = { kind: 'server', status: 500, retryable: true };

/** A provider whose status answers the test switches between failing and healthy. */
function switchableProvider() {
  let healthy = false;
  const provider: VideoProvider = {
    submit: async () => (healthy ? { ok: true, taskId: 't', status: 'submitted' } : { ok: false, error: serverError }),
    getStatus: async () =>
      healthy ? { ok: true, status: { phase: 'running', rawStatus: 'processing' } } : { ok: false, error: serverError },
    close: async () => undefined,
  };
  return { provider, setHealthy: (value: boolean) => void (healthy = value) };
}

const quietReporter: JobReporter = {
  progress: async () => undefined,
  deliver: async () => 'attachment',
  failed: async () => 'told',
  shown: async () => 'not_final',
};
const busyJob = (guildId: string): Job => sampleJob({ guildId, state: 'failed', failure: { reason: 'busy', detail: null } });

describe('provider incidents', () => {
  it('GIVEN the provider failing WHEN videos fail before and after 5 minutes THEN the server hears of an outage once, and again only after a video got through', async () => {
    let now = Date.parse('2026-11-30T10:00:00Z');
    const events: AdminEvent[] = [];
    const store = await openStore('memory://');
    const incidents = createProviderIncidents({ store, clock: () => now, events: { emit: (_guild, event) => void events.push(event) } });
    const { provider, setHealthy } = switchableProvider();
    const watched = incidents.provider(provider);
    const reporter = incidents.reporter(quietReporter, (err) => {
      throw err;
    });

    await watched.getStatus('t');
    now += OUTAGE_AFTER_MS - 1_000;
    await watched.submit({
      model: 'MiniMax-Hailuo-2.3',
      prompt: 'a fox',
      duration: 6,
      resolution: '768p',
      promptOptimizer: true,
      fastPretreatment: false,
      watermark: false,
    });
    await reporter.failed(busyJob('g1'));
    expect(events).toEqual([]);

    now += 2_000;
    await reporter.failed(busyJob('g1'));
    await reporter.failed(busyJob('g1'));
    expect(events).toEqual([{ kind: 'provider_trouble', trouble: 'outage', since: Date.parse('2026-11-30T10:00:00Z') }]);

    // The provider recovers, a video is delivered: the incident is over. A single new failure is no outage.
    setHealthy(true);
    await watched.getStatus('t');
    await reporter.deliver(busyJob('g1'), { kind: 'link' });
    setHealthy(false);
    await watched.getStatus('t');
    await reporter.failed(busyJob('g1'));
    expect(events).toHaveLength(1);

    now += OUTAGE_AFTER_MS;
    await reporter.failed(busyJob('g1'));
    expect(events).toHaveLength(2);
    await store.close();
  });
});
