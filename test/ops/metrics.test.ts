import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { createBotOps } from '../../src/ops/bot-ops.js';
import type { OpsServer } from '../../src/ops/ops-server.js';
import { createQuotaService } from '../../src/quota/quota-service.js';
import { createJobEngine } from '../../src/jobs/create-job-engine.js';
import { silentLogger } from '../../src/log.js';
import { sampleJob } from '../support/jobs.js';
import { scriptedProvider } from '../support/fake-video-provider.js';
import { eventually, recordingReporter, instantVideos } from '../support/job-engine.js';

const GUILD = '1100000000000000001';

async function botParts(store: Store) {
  const ops = createBotOps({ store, logger: silentLogger() });
  const provider = scriptedProvider();
  const { reporter } = recordingReporter();
  const quota = ops.quota(createQuotaService({ store, defaults: { limit: 10, period: 'day' } }));
  const engine = createJobEngine({
    store,
    provider: ops.provider(provider),
    quota,
    reporter: ops.reporter(reporter),
    logger: silentLogger(),
    videos: instantVideos,
    timings: { pollIntervalMs: 20 },
  });
  return { ops, provider, engine };
}

/** A sample /video accepted (reserved and recorded, not sent); its job id. */
async function acceptJob(engine: Awaited<ReturnType<typeof botParts>>['engine']) {
  const template = sampleJob();
  const accepted = await engine.accept({
    request: template.request,
    guildId: GUILD,
    userId: template.userId,
    roleIds: [],
    reply: template.reply,
  });
  if (!accepted.ok) throw new Error('not accepted');
  return accepted.job.id;
}

async function runJob(engine: Awaited<ReturnType<typeof botParts>>['engine']) {
  const id = await acceptJob(engine);
  await engine.submit(id);
  return id;
}

describe('/metrics and /healthz', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('GIVEN a job delivered and a submission refused WHEN Prometheus scrapes /metrics THEN every series the operator watches is there', async () => {
    const store = await openStore('memory://');
    const { ops, provider, engine } = await botParts(store);
    await engine.start();
    const server: OpsServer = await ops.serve(0, () => ({ connected: true }));
    cleanup.push(
      () => store.close(),
      () => engine.stop(),
      () => server.close(),
    );

    const delivered = await runJob(engine);
    await eventually(async () => (await engine.get(delivered))?.state === 'delivered');
    provider.failNextSubmit({ kind: 'payment', status: 402, retryable: false });
    await runJob(engine);
    // A job still in flight shows up in the gauge by state.
    provider.statusOf = () => ({ ok: true, status: { phase: 'running', rawStatus: 'Processing', progress: 40 } });
    // A job whose record vanished from the store (a Redis restarted empty) ends too, and counts.
    const vanishing = await runJob(engine);
    await eventually(async () => (await engine.get(vanishing))?.state === 'processing');
    await store.kv.delete(`job:${vanishing}`);
    const scrape = () => fetch(`http://127.0.0.1:${server.port}/metrics`).then((r) => r.text());
    await eventually(async () => (await scrape()).includes('reason="record_lost"} 1'));
    const running = await runJob(engine);
    await eventually(async () => (await engine.get(running))?.state === 'processing');
    // An ending nobody is told about (another process answered the interaction) counts too.
    const unanswered = await acceptJob(engine);
    await engine.abandon(unanswered, undefined, { answeredElsewhere: true });

    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('hvb_provider_submissions_total{outcome="accepted"} 3');
    expect(text).toContain('hvb_provider_submissions_total{outcome="failed"} 1');
    expect(text).toContain('hvb_provider_failures_total{operation="submit",kind="payment"} 1');
    expect(text).toMatch(/hvb_provider_status_duration_seconds_count\{outcome="ok"\} [1-9]/);
    expect(text).toContain('hvb_delivery_delay_seconds_count{delivery="attachment"} 1');
    expect(text).toContain(`hvb_credits_spent_total{guild="${GUILD}"} 1`);
    expect(text).toContain('hvb_jobs{state="processing"} 1');
    expect(text).toContain('hvb_jobs_finished_total{state="delivered",reason=""} 1');
    expect(text).toContain('hvb_jobs_finished_total{state="failed",reason="payment"} 1');
    expect(text).toMatch(/hvb_jobs_finished_total\{state="\w+",reason="not_acknowledged"\} 1/);
    expect(text).toContain('hvb_jobs_finished_total{state="failed",reason="record_lost"} 1');
    expect(text).toContain('process_resident_memory_bytes');
    expect((await fetch(`http://127.0.0.1:${server.port}/nope`)).status).toBe(404);
  });

  it('GIVEN the gateway and the store WHEN either is down THEN /healthz answers 503 with the details, else 200', async () => {
    const store = await openStore('memory://');
    const { ops } = await botParts(store);
    let connected = false;
    const server = await ops.serve(0, () => ({ connected, shards: [{ id: 0, status: connected ? 'Ready' : 'Connecting' }] }));
    cleanup.push(() => server.close());
    const health = async () => {
      const response = await fetch(`http://127.0.0.1:${server.port}/healthz`);
      return {
        status: response.status,
        body: (await response.json()) as { ok: boolean; gateway: { connected: boolean }; store: { reachable: boolean; kind: string } },
      };
    };

    const connecting = await health();
    expect(connecting.status).toBe(503);
    expect(connecting.body.gateway.connected).toBe(false);
    expect(connecting.body.store).toMatchObject({ reachable: true, kind: 'memory' });

    connected = true;
    const healthy = await health();
    expect(healthy.status).toBe(200);
    expect(healthy.body.ok).toBe(true);

    await store.close();
    const storeGone = await health();
    expect(storeGone.status).toBe(503);
    expect(storeGone.body.store.reachable).toBe(false);
  });

  it('GIVEN a store that does not answer WHEN /healthz is asked THEN it says so within its timeout instead of hanging', async () => {
    const { createHealthCheck } = await import('../../src/ops/health.js');
    const check = createHealthCheck({
      gateway: () => ({ connected: true }),
      store: { kind: 'redis', ping: () => new Promise<boolean>(() => undefined) },
      timeoutMs: 100,
    });
    const started = Date.now();
    const report = await check();
    expect(report).toMatchObject({ ok: false, store: { reachable: false } });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
