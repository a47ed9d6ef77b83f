import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { deliveredTo, startHarness, startStallingHarness, videoCommand, type Harness, type StoreFaults } from './harness.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import type { Job } from '../../src/jobs/job.js';

describe('Discord refuses the acknowledgement of a /video (real client, fake Discord)', () => {
  let h: Harness;
  let store: Store;
  beforeAll(async () => {
    store = await openStore('memory://');
    // Every interaction callback comes "too late" for this fake Discord: it answers 10062 Unknown
    // interaction, as Discord does once its 3 s have passed.
    h = await startHarness({ discord: { interactionResponseWindowMs: -1 }, store: async () => store });
  });
  afterAll(async () => {
    await h?.close();
  });

  const storedJobs = async (): Promise<Job[]> => {
    const jobs: Job[] = [];
    for await (const [, value] of store.kv.iterator?.(undefined) ?? []) {
      const job = value as Partial<Job>;
      if (typeof job === 'object' && job !== null && typeof job.id === 'string' && job.request !== undefined) jobs.push(job as Job);
    }
    return jobs;
  };

  it('GIVEN a reserved /video whose deferral Discord refuses THEN nothing is sent or charged, no message appears, and the job is recorded as not acknowledged (not as a restart)', async () => {
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a callback that comes too late' }));
    let ended: Job | undefined;
    for (const deadline = Date.now() + 10_000; !ended && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ended = (await storedJobs()).find((job) => job.state === 'failed');
    }
    expect(ended?.failure?.reason).toBe('not_acknowledged');
    expect(ended?.request.prompt).toContain('a callback that comes too late');
    expect(h.discord.callbacks.filter((c) => c.interactionId === id)).toHaveLength(0);
    expect(h.discord.followUps(id)).toHaveLength(0);
    // Told in the reply only, which Discord never had: no message anywhere, no DM.
    expect([...h.discord.messages.values()]).toEqual([]);
    expect(h.provider.submissions).toHaveLength(0);
    const standing = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    expect(standing.used).toBe(0);
    expect(standing.inFlight).toEqual([]);
  });
});

describe('Discord does a deferral and then answers 5xx (real client, fake Discord)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN the deferral landed but Discord answered 500 (the retry gets 40060) THEN the job goes on: the member gets the video in that reply, charged once', async () => {
    h.discord.failNext({ method: 'POST', path: /\/interactions\/\d+\/[^/]+\/callback$/ }, { status: 500, land: true });
    const before = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a deferral answered 500' }));
    const reply = await deliveredTo(h, id, 15_000);
    expect(reply.attachments).toHaveLength(1);
    expect(h.discord.callbacks.filter((c) => c.interactionId === id)).toHaveLength(1);
    // No error answer: the only follow-up is the usual "your video is ready" ping.
    expect(h.discord.followUps(id).filter((m) => !m.content.includes('your video is ready'))).toEqual([]);
    expect(h.provider.submissions.filter((s) => JSON.stringify(s.body).includes('a deferral answered 500'))).toHaveLength(1);
    const after = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    expect(after.used).toBe(before.used + 1);
    // The reply's id was read back, so the member's /videos links to it.
    const page = await h.bot.context.history.page(h.discord.defaultGuildId, h.discord.defaultUser.id, 0, 10);
    expect(JSON.stringify(page)).toContain(reply.id);
  });
});

describe('Discord does a deferral and its answer never comes (real client, fake Discord)', () => {
  let h: Harness;
  beforeAll(async () => {
    // A short REST timeout, so the lost answer is given up (and the deferral tried again) quickly.
    h = await startHarness({ env: { DISCORD_REST_TIMEOUT_MS: '1000' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN the deferral landed but its answer was lost (the retry after the timeout gets 40060) THEN the member still gets the video in that reply, once', async () => {
    h.discord.failNext({ method: 'POST', path: /\/interactions\/\d+\/[^/]+\/callback$/ }, { status: 500, land: true, hang: true });
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'a deferral whose answer was lost' }));
    const reply = await deliveredTo(h, id, 15_000);
    expect(reply.attachments).toHaveLength(1);
    expect(h.discord.callbacks.filter((c) => c.interactionId === id)).toHaveLength(1);
    expect(h.discord.followUps(id).filter((m) => !m.content.includes('your video is ready'))).toEqual([]);
    expect(h.provider.submissions.filter((s) => JSON.stringify(s.body).includes('a deferral whose answer was lost'))).toHaveLength(1);
  });
});

describe("the guard's own early deferral (a slow store) lands and Discord answers 500 (real client, fake Discord)", () => {
  let h: Harness;
  let stall: (ms: number) => void;
  beforeAll(async () => {
    let faults: StoreFaults;
    ({ h, faults } = await startStallingHarness());
    stall = faults.stallFor;
  });
  afterAll(async () => {
    await h?.close();
  });
  const callbackPath = { method: 'POST', path: /\/interactions\/\d+\/[^/]+\/callback$/ };

  it('GIVEN a /video acknowledged on its behalf after 2 s whose deferral landed with a 500 (the retry gets 40060) THEN the job still goes on in that reply', async () => {
    h.discord.failNext(callbackPath, { status: 500, land: true });
    stall(2_600);
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'an early deferral answered 500' }));
    const reply = await deliveredTo(h, id, 20_000);
    expect(reply.attachments).toHaveLength(1);
    expect(h.discord.followUps(id).filter((m) => !m.content.includes('your video is ready'))).toEqual([]);
  }, 30_000);

  it('GIVEN a private /usage acknowledged on its behalf whose deferral landed with a 500 THEN the member still gets the answer, not "thinking" forever', async () => {
    h.discord.failNext(callbackPath, { status: 500, land: true });
    stall(2_600);
    const { id } = h.discord.dispatchInteraction({ commandName: 'usage' });
    const reply = await h.discord.waitFor(
      () => {
        const message = h.discord.originalResponse(id);
        return message && JSON.stringify(message.embeds).includes('credits') ? message : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(reply.flags & 64).toBe(64);
  }, 30_000);
});

describe("a button's or a private reply's first answer lands and Discord answers 500 (real client, fake Discord)", () => {
  let h: Harness;
  const cancelIdOf = (message: { components?: unknown } | undefined) =>
    /"custom_id":"(video:cancel:[^"]+)"/.exec(JSON.stringify(message?.components ?? []))?.[1];
  const callbackPath = { method: 'POST', path: /\/interactions\/\d+\/[^/]+\/callback$/ };
  beforeAll(async () => {
    // One submission per 10 minutes: after the first, every request waits in line (cancellable).
    h = await startHarness({ provider: { pollsToComplete: null }, env: { XCOMPUTE_MAX_RPM: '1', XCOMPUTE_RPM_WINDOW_MS: '600000' } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN a member presses Cancel and the deferUpdate lands but Discord answers 500 (the retry gets 40060) THEN the request is still cancelled and nothing is charged, with no error answer', async () => {
    h.discord.dispatchInteraction(videoCommand({ prompt: 'first, sent at once' }));
    await h.discord.waitFor(() => h.provider.submissions.length === 1 || undefined);
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'waits, then cancelled' }));
    const reply = await h.discord.waitFor(() => {
      const original = h.discord.originalResponse(id);
      return original && cancelIdOf(original) ? original : undefined;
    });
    const usedBefore = (await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, [])).used;

    h.discord.failNext(callbackPath, { status: 500, land: true });
    const press = h.discord.dispatchComponentInteraction({ customId: cancelIdOf(reply) ?? '', messageId: reply.id });
    const cancelled = await h.discord.waitFor(() => {
      const original = h.discord.originalResponse(id);
      return JSON.stringify(original?.embeds).includes('Cancelled by') ? original : undefined;
    });
    expect(JSON.stringify(cancelled.embeds)).toContain('Nothing was charged');
    expect(h.discord.callbacks.filter((c) => c.interactionId === press.id)).toHaveLength(1);
    expect(h.discord.followUps(press.id)).toEqual([]);
    const after = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    expect(after.used).toBe(usedBefore - 1);
    expect(h.provider.submissions.map((s) => JSON.stringify(s.body))).not.toContainEqual(expect.stringContaining('waits, then cancelled'));
  });

  it('GIVEN a /video with a problem whose private answer lands but Discord answers 500 THEN the member sees that one answer, not an error after it, and nothing is reserved', async () => {
    h.discord.failNext(callbackPath, { status: 500, land: true });
    const before = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: '   ' }));
    const answer = await h.discord.waitFor(() => h.discord.callbacks.find((c) => c.interactionId === id));
    expect(((answer.data as { flags?: number }).flags ?? 0) & 64).toBe(64);
    // Time for an error answer to follow, were one coming.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(h.discord.followUps(id)).toEqual([]);
    expect(h.discord.callbacks.filter((c) => c.interactionId === id)).toHaveLength(1);
    const after = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    expect(after.inFlight).toEqual(before.inFlight);
  });
});

describe('the interaction answered by another process first (two processes on one shard, an overlapping deploy; real client, fake Discord)', () => {
  let h: Harness;
  const logLines: string[] = [];
  const callbackPath = { method: 'POST', path: /\/interactions\/\d+\/[^/]+\/callback$/ };
  // What Discord answers our first attempt when the other process's answer came first.
  const answeredElsewhere = { status: 400, body: { code: 40060, message: 'Interaction has already been acknowledged.' } };
  const warned = () =>
    logLines.filter((line) => line.includes('interaction already answered by someone else') && line.includes('"level":40')).length;
  beforeAll(async () => {
    const destination = new Writable({
      write(chunk, _encoding, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    // One submission per 10 minutes: after the first, every request waits in line (cancellable).
    h = await startHarness({
      logger: createLogger({ level: 'info', destination }),
      provider: { pollsToComplete: null },
      env: { XCOMPUTE_MAX_RPM: '1', XCOMPUTE_RPM_WINDOW_MS: '600000' },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('GIVEN a /video whose deferral Discord refuses with 40060 on its first attempt THEN this copy ends without a word, nothing is sent or charged, and the log names the likely cause', async () => {
    const before = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    const warningsBefore = warned();
    h.discord.failNext(callbackPath, answeredElsewhere);
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'answered by the other process' }));
    await h.discord.waitFor(() => (warned() > warningsBefore ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The reply is the other process's: nothing of ours in it, after it or anywhere.
    expect(h.discord.callbacks.filter((c) => c.interactionId === id)).toHaveLength(0);
    expect(h.discord.followUps(id)).toEqual([]);
    expect(h.discord.requests.filter((r) => r.path.includes(`/webhooks/`) && r.method !== 'GET')).toEqual([]);
    expect(h.provider.submissions.filter((s) => JSON.stringify(s.body).includes('answered by the other process'))).toHaveLength(0);
    const after = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    expect(after.used).toBe(before.used);
    expect(after.inFlight).toEqual(before.inFlight);
    expect(logLines.some((line) => line.includes('"level":50'))).toBe(false);
  });

  it('GIVEN a Cancel press whose deferUpdate Discord refuses with 40060 on its first attempt THEN this copy cancels nothing and sends nothing (the other process does it)', async () => {
    h.discord.dispatchInteraction({
      ...videoCommand({ prompt: 'first, sent at once' }),
      user: { id: '1400000000000000901', username: 'first' },
    });
    await h.discord.waitFor(() => h.provider.submissions.length === 1 || undefined);
    const { id } = h.discord.dispatchInteraction(videoCommand({ prompt: 'waits; its Cancel is answered elsewhere' }));
    const cancelIdOf = (message: { components?: unknown } | undefined) =>
      /"custom_id":"(video:cancel:[^"]+)"/.exec(JSON.stringify(message?.components ?? []))?.[1];
    const reply = await h.discord.waitFor(() => {
      const original = h.discord.originalResponse(id);
      return original && cancelIdOf(original) ? original : undefined;
    });
    const warningsBefore = warned();
    h.discord.failNext(callbackPath, answeredElsewhere);
    const press = h.discord.dispatchComponentInteraction({ customId: cancelIdOf(reply) ?? '', messageId: reply.id });
    await h.discord.waitFor(() => (warned() > warningsBefore ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.discord.followUps(press.id)).toEqual([]);
    expect(JSON.stringify(h.discord.originalResponse(id)?.embeds)).not.toContain('Cancelled by');
    const standing = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, h.discord.defaultUser.id, []);
    expect(standing.inFlight).toHaveLength(1);
  });

  it('GIVEN the same /video delivered twice to this process while it is being handled THEN it is handled once: one acknowledgement, one reservation', async () => {
    const member = { id: '1400000000000000902', username: 'twice' };
    const before = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, member.id, []);
    const { id } = h.discord.dispatchInteraction({ ...videoCommand({ prompt: 'delivered twice to one process' }), user: member });
    const delivered = h.discord.interaction(id) as unknown as {
      payload: Parameters<Harness['discord']['dispatchGatewayEvent']>[1];
      guildId: string | null;
    };
    h.discord.dispatchGatewayEvent('INTERACTION_CREATE', delivered.payload, delivered.guildId);
    await h.discord.waitFor(() => h.discord.originalResponse(id)?.embeds.length || undefined);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.discord.callbacks.filter((c) => c.interactionId === id)).toHaveLength(1);
    expect(h.discord.callbackAttempts(id)).toHaveLength(1);
    const after = await h.bot.context.quota.memberStanding(h.discord.defaultGuildId, member.id, []);
    expect(after.inFlight.length - before.inFlight.length).toBe(1);
    expect(logLines.some((line) => line.includes('the same interaction arrived again'))).toBe(true);
  });
});
