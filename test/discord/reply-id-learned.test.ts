import type { REST } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { createDiscordReporter } from '../../src/discord/job-reporter.js';
import { createReplyChannel, TOKEN_SAFE_AGE_MS } from '../../src/discord/reply-channel.js';
import { createJobRepository } from '../../src/jobs/job-repository.js';
import { silentLogger } from '../../src/log.js';
import { sampleJob } from '../support/jobs.js';
import { sqliteFilePerTest } from '../support/sqlite.js';

const REPLY_ID = '1500000000000000009';
const FOLLOW_UP_ID = '1500000000000000077';

/** A REST client that answers every write with a message (the reply for edits of @original, a new one for posts). */
function answeringRest() {
  const calls: Array<{ method: string; route: string }> = [];
  const rest = {
    patch: async (route: string) => {
      calls.push({ method: 'PATCH', route });
      return { id: REPLY_ID, content: '' };
    },
    post: async (route: string) => {
      calls.push({ method: 'POST', route });
      return { id: FOLLOW_UP_ID, content: '' };
    },
    get: async (route: string) => {
      calls.push({ method: 'GET', route });
      return [];
    },
  } as unknown as REST;
  return { rest, calls };
}

const payload = { body: { content: 'Generating 40%' } };

/**
 * A job whose reads of its reply all failed learns the reply's id from the answer to an edit of
 * it: the member's reply stays reachable once the interaction token is too old, and /videos links
 * to it.
 */
describe("a reply's id learned from an edit's answer", () => {
  it('GIVEN a job without its reply id WHEN its reply is edited through the webhook THEN the id is passed on; a follow-up or a job that knows its id passes nothing', async () => {
    const { rest } = answeringRest();
    const told: Array<[string, string]> = [];
    const channel = createReplyChannel(rest, rest, silentLogger(), Date.now, rest, (jobId, id) => told.push([jobId, id]));
    const job = sampleJob({ id: 'jl1' });
    expect(await channel.editReply(job, payload)).toBe('ok');
    expect(told).toEqual([['jl1', REPLY_ID]]);

    await channel.followUp(sampleJob({ id: 'jl2' }), payload, 'ping', 'marker');
    await channel.editReply(sampleJob({ id: 'jl3', reply: { ...job.reply, messageId: '1500000000000000001' } }), payload);
    expect(told).toEqual([['jl1', REPLY_ID]]);
  });

  it('GIVEN the id was learned WHEN a later edit comes from an older copy of the job, after the token is too old THEN it edits the reply through the channel instead of giving up on it', async () => {
    let now = Date.now();
    const { rest, calls } = answeringRest();
    const channel = createReplyChannel(
      rest,
      rest,
      silentLogger(),
      () => now,
      rest,
      () => undefined,
    );
    const job = sampleJob({ id: 'jl4' });
    await channel.editReply(job, payload);
    now += TOKEN_SAFE_AGE_MS + 1_000;
    expect(await channel.editReply(job, payload)).toBe('ok');
    expect(calls.at(-1)).toEqual({ method: 'PATCH', route: `/channels/${job.reply.channelId}/messages/${REPLY_ID}` });
  });

  it('GIVEN the listener throws WHEN the edit landed THEN the edit still counts as made', async () => {
    const { rest } = answeringRest();
    const channel = createReplyChannel(rest, rest, silentLogger(), Date.now, rest, () => {
      throw new Error('listener failed');
    });
    expect(await channel.editReply(sampleJob({ id: 'jl5' }), payload)).toBe('ok');
  });
});

describe("a job's record keeps a reply id learned while an older copy of it was in use", () => {
  const { openSqlite } = sqliteFilePerTest('hvb-reply-id-');

  it('GIVEN the poller holds a copy without the id WHEN the id is learned and the poller then saves its copy THEN the record keeps the id', async () => {
    const jobs = createJobRepository(await openSqlite());
    const job = sampleJob({ id: 'jl6', state: 'processing', taskId: 't1', submittedAt: Date.now() });
    await jobs.save(job);
    const pollersCopy = (await jobs.get('jl6'))!;
    await jobs.update('jl6', (current) => ({ ...current, reply: { ...current.reply, messageId: REPLY_ID } }));
    await jobs.save({ ...pollersCopy, progress: { ...pollersCopy.progress, percent: 40 } });
    const stored = await jobs.get('jl6');
    expect(stored?.reply.messageId).toBe(REPLY_ID);
    expect(stored?.progress.percent).toBe(40);
  });

  it('GIVEN a finished job without its reply id WHEN the video is delivered into the reply THEN the ping under it links to the reply whose id the edit answered with', async () => {
    const { rest } = answeringRest();
    const posts: unknown[] = [];
    const post = rest.post.bind(rest);
    const recording = Object.assign(Object.create(rest) as REST, {
      post: async (route: string, options: { body?: unknown }) => {
        posts.push(options.body);
        return post(route as never, options);
      },
    });
    const reporter = createDiscordReporter({
      rest: recording,
      uploadRest: recording,
      onceRest: recording,
      logger: silentLogger(),
      progressEditMinMs: 0,
    });
    const job = sampleJob({
      id: 'jl9',
      state: 'succeeded',
      result: { videoUrl: 'https://cdn.example/v.mp4', expiresAt: null, delivery: null },
    });
    expect(await reporter.deliver(job, { kind: 'link' })).toBe('link');
    const ping = posts.map((body) => JSON.stringify(body)).find((body) => body.includes(`<@${job.userId}>`));
    expect(ping).toContain(`https://discord.com/channels/${job.guildId}/${job.reply.channelId}/${REPLY_ID}`);
  });
});
