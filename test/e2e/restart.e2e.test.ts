import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions, type FakeMessage } from '../fakes/discord/index.js';
import { startFakeProvider, type FakeProvider } from '../fakes/provider.js';
import { fakeEnv, videoCommand } from './harness.js';
import { buildBotOnce, trackBotProcesses } from './process.js';

const text = (message: FakeMessage | undefined) => JSON.stringify([message?.content, message?.embeds]);
const promptOf = (body: unknown) => (body as { prompt: string }).prompt;

/**
 * A world for bot processes: the fakes, a folder for the SQLite file, the environment, and
 * `boot(extra)`, which starts the bot and resolves once it is connected and listening.
 */
function processWorld(folder: string, when: 'afterEach' | 'afterAll', discordOptions: FakeDiscordOptions = {}) {
  const bots = trackBotProcesses(when);
  const world = {} as { entry: string; discord: FakeDiscord; provider: FakeProvider; dir: string; env: Record<string, string> };
  beforeAll(async () => {
    world.entry = buildBotOnce();
    world.discord = await startFakeDiscord(discordOptions);
    world.provider = await startFakeProvider({ pollsToComplete: null });
    world.dir = mkdtempSync(join(tmpdir(), folder));
    // Warnings reach the test output when a restart test fails.
    world.env = { ...fakeEnv(world.discord, world.provider, join(world.dir, 'bot.sqlite')), LOG_LEVEL: 'warn' };
  }, 120_000);
  afterAll(async () => {
    await world.discord?.close();
    await world.provider?.close();
    if (world.dir) rmSync(world.dir, { recursive: true, force: true });
  });
  const boot = async (extra: Record<string, string> = {}) => {
    const { discord } = world;
    const sessions = discord.identifies.length;
    const bot = bots.start(world.entry, { ...world.env, ...extra });
    await discord.waitFor(() => discord.identifies.length > sessions && discord.gatewaySessions > 0, { timeoutMs: 20_000 });
    // The bot resumes stored jobs right after READY; give it a moment to be listening.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return bot;
  };
  return { world, boot };
}

describe('restarts: the bot as a real process, killed by its own pid', () => {
  const { world, boot } = processWorld('hvb-restart-', 'afterEach');
  let discord: FakeDiscord;
  let provider: FakeProvider;
  beforeAll(() => {
    ({ discord, provider } = world);
  });

  it('GIVEN a job the provider is working on WHEN the bot is SIGKILLed and the video finishes while it is down THEN the next start delivers it, submitted once', async () => {
    const first = await boot();
    const { id } = discord.dispatchInteraction(videoCommand({ prompt: 'survives a kill' }));
    // The first /video of a freshly started process (cold JIT): generous on a loaded machine.
    const taskId = await discord.waitFor(() => provider.submissions.find((s) => promptOf(s.body) === 'survives a kill')?.taskId, {
      timeoutMs: 20_000,
    });
    await discord.waitFor(() => provider.statusRequests.some((r) => r.taskId === taskId));
    process.kill(first.child.pid ?? 0, 'SIGKILL');
    await first.exited;

    provider.completeTask(taskId);
    await boot();
    const message = await discord.waitFor(
      () => {
        const original = discord.originalResponse(id);
        return original?.attachments.length ? original : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(text(message)).toContain('Your video is ready');
    expect(provider.submissions.filter((s) => promptOf(s.body) === 'survives a kill')).toHaveLength(1);
  });

  it('GIVEN a submission whose answer never came back WHEN the bot is killed and restarted THEN it is not submitted again and the member is told honestly it may or may not have started, uncharged', async () => {
    const first = await boot();
    provider.setSubmitMode('hold');
    const { id } = discord.dispatchInteraction(videoCommand({ prompt: 'killed while submitting' }));
    await discord.waitFor(() => provider.submissions.find((s) => promptOf(s.body) === 'killed while submitting'));
    process.kill(first.child.pid ?? 0, 'SIGKILL');
    await first.exited;
    provider.setSubmitMode('normal');

    await boot();
    const message = await discord.waitFor(() => {
      const original = discord.originalResponse(id);
      return original && text(original).includes('restarted') ? original : undefined;
    });
    expect(text(message)).toContain('may or may not have started; you were not charged');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(provider.submissions.filter((s) => promptOf(s.body) === 'killed while submitting')).toHaveLength(1);
  });

  it('GIVEN a job in flight WHEN the bot gets SIGTERM THEN it exits 0 within 10 s and the job carries on after the next start', async () => {
    const first = await boot();
    const { id } = discord.dispatchInteraction(videoCommand({ prompt: 'graceful stop' }));
    const taskId = await discord.waitFor(() => provider.submissions.find((s) => promptOf(s.body) === 'graceful stop')?.taskId);
    const stoppedAt = Date.now();
    process.kill(first.child.pid ?? 0, 'SIGTERM');
    expect(await first.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);

    await boot();
    provider.completeTask(taskId);
    await discord.waitFor(() => discord.originalResponse(id)?.attachments.length, { timeoutMs: 20_000 });
    expect(provider.submissions.filter((s) => promptOf(s.body) === 'graceful stop')).toHaveLength(1);
  });
});

describe('restarts with jobs waiting in line for the provider budget', () => {
  // Five servers, so the default cap of 3 jobs in flight per server leaves room for 11 jobs.
  const guilds = Array.from({ length: 5 }, (_, i) => ({
    id: String(1_150_000_000_000_000_001n + (BigInt(i) << 22n)),
    name: `server ${i}`,
  }));
  const { world, boot } = processWorld('hvb-restart-line-', 'afterAll', { guilds });
  let discord: FakeDiscord;
  let provider: FakeProvider;
  beforeAll(() => {
    ({ discord, provider } = world);
  });

  it('GIVEN 10 jobs waiting in line WHEN the bot is SIGKILLed and restarted THEN all 10 are sent after the restart, each exactly once, and delivered', async () => {
    // One submission per 10 minutes: after the first, everyone waits.
    const first = await boot({ XCOMPUTE_MAX_RPM: '1', XCOMPUTE_RPM_WINDOW_MS: '600000' });
    const ask = (i: number) =>
      discord.dispatchInteraction({
        ...videoCommand({ prompt: `line ${i}` }),
        guildId: guilds[i % guilds.length]?.id ?? null,
        user: { id: String(1_400_000_000_000_000_100n + BigInt(i)), username: `member${i}` },
      }).id;
    const head = ask(0);
    await discord.waitFor(() => provider.submissions.length === 1);
    const waiting = Array.from({ length: 10 }, (_, i) => ask(i + 1));
    for (const id of waiting) {
      await discord.waitFor(() => (text(discord.originalResponse(id)).includes(' in line · starts ') ? true : undefined), {
        timeoutMs: 20_000,
      });
    }
    expect(provider.submissions).toHaveLength(1);
    process.kill(first.child.pid ?? 0, 'SIGKILL');
    await first.exited;

    await boot({ XCOMPUTE_MAX_RPM: '100' });
    await discord.waitFor(() => provider.submissions.length === 11, { timeoutMs: 20_000 });
    for (const submission of provider.submissions) provider.completeTask(submission.taskId ?? '');
    for (const id of [head, ...waiting]) {
      await discord.waitFor(() => discord.originalResponse(id)?.attachments.length, { timeoutMs: 30_000 });
    }
    const prompts = provider.submissions.map((s) => promptOf(s.body)).sort();
    expect(prompts).toEqual(Array.from({ length: 11 }, (_, i) => `line ${i}`).sort());
    // None of them was told it failed or restarted.
    for (const id of waiting) expect(text(discord.originalResponse(id))).not.toContain('restarted');
  }, 120_000);
});
