import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { errorJson } from '../fakes/provider-data.js';
import { startHarness, videoCommand, type Harness } from './harness.js';

describe('a refused key or an empty balance is told to the operator, once per 10 minutes', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('GIVEN the provider answers 401 to every submission and then 402 WHEN members keep asking THEN one error line per kind says what the operator must do, again only after 10 minutes, and /metrics counts every refusal', async () => {
    let now = Date.now();
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({
      level: 'error',
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    h = await startHarness({
      logger,
      clock: () => now,
      env: { XCOMPUTE_API_KEY: 'a-revoked-key', METRICS_PORT: '0', QUOTA_DEFAULT_LIMIT: '100' },
    });
    const ask = async (prompt: string) => {
      const before = h.provider.submissions.length;
      h.discord.dispatchInteraction(videoCommand({ prompt }));
      await h.discord.waitFor(() => h.provider.submissions.length > before && h.provider.submissions.at(-1)?.status !== 0);
      await new Promise((resolve) => setTimeout(resolve, 100));
    };
    const alerts = (kind: string) => lines.filter((line) => line.kind === kind && line.level === 50);

    for (const prompt of ['one', 'two', 'three']) await ask(prompt);
    expect(alerts('auth')).toHaveLength(1);
    expect(String(alerts('auth')[0]?.msg)).toContain('XCOMPUTE_API_KEY');
    expect(String(alerts('auth')[0]?.msg)).toContain('https://xcompute.us/keys');
    expect(JSON.stringify(lines)).not.toContain('a-revoked-key');

    h.provider.failNext('submit', { status: 402, body: errorJson(402, '余额不足', 'payment_required') }, 2);
    await ask('four');
    await ask('five');
    expect(alerts('payment')).toHaveLength(1);
    expect(String(alerts('payment')[0]?.msg)).toMatch(/balance/);

    now += 10 * 60_000 + 1_000;
    await ask('six');
    expect(alerts('auth')).toHaveLength(2);

    const metrics = await fetch(`http://127.0.0.1:${h.bot.metricsPort() ?? 0}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/hvb_provider_failures_total\{operation="submit",kind="auth"\} 4/);
    expect(metrics).toMatch(/hvb_provider_failures_total\{operation="submit",kind="payment"\} 2/);
  });
});
