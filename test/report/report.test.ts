import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReport } from '../../scripts/report.js';
import { openStore } from '../../src/store/open-store.js';
import { flushDb, redisAvailable, redisUrl } from '../support/redis.js';
import { granted, quotaOn, request, testClock } from '../quota/helpers.js';

// Its own Redis database: each test file flushes only its own.
const DB = 14;
const A = '111000000000000001';
const B = '222000000000000002';

/** Spends in two servers over two months, with every ledger outcome; returns the store URL. */
async function seed(storeUrl: string): Promise<void> {
  const store = await openStore(storeUrl);
  const clock = testClock('2026-10-31T10:00:00.000Z');
  const { quota } = quotaOn(store, { defaults: { limit: 100, period: 'day' }, maxPerMember: 20 }, clock);
  const spend = async (guildId: string, settings: Partial<ReturnType<typeof request>>, end: (id: string) => Promise<boolean>) =>
    end(granted(await quota.reserve(request({ guildId, ...settings }))));
  await spend(A, { duration: 10, cost: 2 }, (id) => quota.charge(id, 'delivered', { taskId: 'task_a1' }));
  clock.set('2026-11-02T08:00:00.000Z');
  await spend(A, { resolution: '1080p', cost: 2 }, (id) => quota.charge(id, 'delivered_as_link', { taskId: 'task_a2' }));
  await spend(A, { model: 'MiniMax-Hailuo-2.3-Fast' }, (id) =>
    quota.release(id, 'download_failed', { outcome: 'undelivered', taskId: 'task_a3' }),
  );
  await spend(A, {}, (id) => quota.release(id, 'task_failed', { taskId: 'task_a4' }));
  await spend(A, {}, (id) => quota.release(id, 'restarted', { outcome: 'ambiguous' }));
  clock.set('2026-11-05T23:59:00.000Z');
  for (const userId of ['u1', 'u2', 'u3'])
    await spend(B, { userId }, (id) => quota.charge(id, 'delivered', { taskId: `task_b_${userId}` }));
  await store.close();
}

const parse = (csv: string) =>
  Object.fromEntries(
    csv
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [id, ...rest] = line.split(',');
        return [id, rest];
      }),
  );

const backends = [
  { name: 'SQLite', url: async (dir: string) => `sqlite://${join(dir, 'bot.sqlite')}` },
  { name: 'Redis', url: async () => ((await redisAvailable()) ? (await flushDb(DB), redisUrl(DB)) : null) },
];

describe.each(backends)('npm run report on $name', ({ url }) => {
  let dir = '';
  let storeUrl: string | null = null;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hvb-report-'));
    storeUrl = await url(dir);
    if (storeUrl) await seed(storeUrl);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    if (storeUrl?.startsWith('redis')) await flushDb(DB);
  });

  const run = async (...args: string[]) => {
    let text = '';
    const code = await runReport(args, { STORE_URL: storeUrl ?? '' }, (chunk) => (text += chunk));
    return { code, text };
  };

  it('GIVEN a ledger across servers and months WHEN the operator runs the report THEN per server and in total it shows the videos made, the credits charged and the provider cost at published prices', async (ctx) => {
    if (!storeUrl) return ctx.skip(true, 'Redis is not running');
    const { code, text } = await run('--csv');
    expect(code).toBe(0);
    expect(text.split('\n')[0]).toBe('guild_id,videos,credits,provider_cost_usd,undelivered,ambiguous,unpriced');
    const rows = parse(text);
    // A: charged 768p 10 s ($0.56) + 1080p 6 s ($0.49), undelivered Fast 768p 6 s ($0.19); one released, one ambiguous.
    expect(rows[A]).toEqual(['3', '4', '1.24', '1', '1', '0']);
    // B: three 768p 6 s charged at $0.28.
    expect(rows[B]).toEqual(['3', '3', '0.84', '0', '0', '0']);
    expect(rows['total']).toEqual(['6', '7', '2.08', '1', '1', '0']);
  });

  it('GIVEN --since WHEN the operator runs the report THEN lines settled before that UTC day are left out, and the table form shows the same totals', async (ctx) => {
    if (!storeUrl) return ctx.skip(true, 'Redis is not running');
    const rows = parse((await run('--since', '2026-11-01', '--csv')).text);
    expect(rows[A]).toEqual(['2', '2', '0.68', '1', '1', '0']);
    expect(rows['total']).toEqual(['5', '5', '1.52', '1', '1', '0']);
    const table = (await run('--since', '2026-11-01')).text;
    expect(table).toMatch(/^total\s+5\s+5\s+1\.52\s+1\s+1\s+0$/m);
    const late = parse((await run('--since', '2026-12-01', '--csv')).text);
    expect(late['total']).toEqual(['0', '0', '0.00', '0', '0', '0']);
  });

  it('GIVEN a malformed --since THEN the report says what a good value looks like and exits 2', async (ctx) => {
    if (!storeUrl) return ctx.skip(true, 'Redis is not running');
    const bad = await run('--since', 'November');
    expect(bad.code).toBe(2);
    expect(bad.text).toContain('--since takes a UTC date like 2026-11-01');
    expect((await run('--bogus')).code).toBe(2);
  });
});
