import { describe, expect, it } from 'vitest';
import { DemoTimeoutError, demoArgs, runDemo } from '../scripts/demo.js';
import { NARRATOR } from '../scripts/demo/run.js';
import { relativeText, renderMessage } from '../scripts/demo/render.js';
import { flushDb, rawRedis, redisAvailable, redisUrl, REDIS_HOST, REDIS_PORT } from './support/redis.js';

describe('npm run demo', () => {
  it('GIVEN the local fakes WHEN the demo runs THEN the transcript shows a /video from request to delivered video, a private refusal, the result buttons (Regenerate, Edit, Extend), /usage, /quota show and matching bytes, with the narrator marked', async () => {
    const lines: string[] = [];
    const result = await runDemo({ write: (line) => lines.push(line), speed: 5 });
    const transcript = lines.join('\n');

    expect(transcript).toContain('Nothing real is contacted');
    expect(transcript).toContain('store               in memory, nothing kept (--store=redis://… for Redis)');
    expect(transcript).toMatch(/mika +\/video prompt: a red fox trotting through fresh snow {2}camera: Push in {2}duration: 6/);
    expect(transcript).toContain('Hailuo is thinking…');
    expect(transcript).toContain('🎬 Making your video');
    expect(transcript).toMatch(/▰▰▰▱▱▱▱▱▱▱ 30%/);
    expect(transcript).toMatch(/▰▰▰▰▰▰▰▱▱▱ 70%/);
    expect(transcript).toMatch(/Asked (\d+s ago|now) · Ready( \(estimate\))? (in \d|now)/);
    expect(transcript).toContain('✅ Your video is ready');
    expect(transcript).toContain('@mika, your video is ready.');
    expect(transcript).toMatch(/📎 \w+\.mp4 \(video\/mp4, [\d,]+ bytes\)/);
    // Extend is there where ffmpeg runs (it does in CI and in the Docker image).
    expect(transcript).toMatch(/\[🔁 Regenerate\] \[✏️ Edit\] (\[⏩ Extend\] )?\[🗑️ Delete\]/);
    expect(transcript).not.toMatch(/<@\d+>|<t:\d+/);

    expect(transcript).toContain('/video prompt: city at night  resolution: 1080p  duration: 10');
    expect(transcript).toContain('(only you can see this) I could not start that video');
    expect(transcript).toContain('1080p videos can only be 6 seconds long');

    // The result buttons work: Regenerate starts the same request again (through the quota).
    expect(transcript).toMatch(/mika +presses \[🔁 Regenerate\]/);
    expect(transcript).toMatch(/received task \w+, the same prompt and settings/);
    // ✏️ Edit: a form holding the prompt as the provider got it; sending it starts a new video.
    expect(transcript).toMatch(/mika +presses \[✏️ Edit\]/);
    expect(transcript).toContain('📝 Edit the prompt and make it again');
    expect(transcript).toContain('Prompt: [推进]a red fox trotting through fresh snow');
    expect(transcript).toMatch(/mika +sends the form with prompt: \[推进\]a red fox trotting through fresh snow at dusk/);
    expect(transcript).toMatch(/received task \w+, the edited prompt with the same settings/);
    // The camera command read back from the form is the new video's setting, shown apart from the words.
    expect(transcript).toContain('Prompt [推进] a red fox trotting through fresh snow at dusk');
    // ⏩ Extend where ffmpeg runs (it does in CI and in the Docker image): the last frame starts the new video.
    const extendOffered = !transcript.includes('Extend is not offered here');
    if (extendOffered) {
      expect(transcript).toMatch(/mika +presses \[⏩ Extend\]/);
      expect(transcript).toContain('📝 Extend: continue from the last frame');
      expect(transcript).toMatch(/received task \w+; its first frame is the video's last frame \(a JPEG of [\d,.]+ (bytes|KB)/);
      expect(transcript).toContain('Prompt the fox leaps into a snowdrift');
    }
    // What members and admins can look up, privately: two videos delivered, the edited (and extended) ones held.
    expect(transcript).toMatch(/mika +\/usage\n.*\(only you can see this\) 🎟️ Your video credits/);
    expect(transcript).toContain(`${extendOffered ? 4 : 3} credits used`);
    expect(transcript).toMatch(/sam +\/quota show\n.*\(only you can see this\) 📊 Video quota of this server/);
    // The member reads the camera bracket apart from an English prompt.
    expect(transcript).toContain('Prompt [推进] a red fox trotting through fresh snow');

    // Narration is marked as such in plain text, and the speed-up is said once.
    expect(transcript.match(/Time runs faster than in production/g)).toHaveLength(1);
    for (const line of lines.filter((l) => /fake xcompute API:|Nothing real is contacted|The bot is online|Done in/.test(l))) {
      expect(line.trimStart().startsWith(`${NARRATOR} `), line).toBe(true);
    }
    // Chat lines (time, name) never carry the narrator's mark.
    for (const line of lines.filter((l) => /^\d\d:\d\d:\d\d {2}/.test(l))) expect(line).not.toContain(NARRATOR);

    expect(transcript).toMatch(/✔ Bytes match: \w+\.mp4 in the reply is [\d,]+ bytes, identical to the video/);
    // eslint-disable-next-line no-control-regex -- no ANSI escape (ESC, 0x1b) may reach a pipe
    expect(transcript).not.toMatch(/\u001b\[/);
    expect(result.videoBytes).toBeGreaterThan(0);
  });

  it('GIVEN Discord tokens WHEN a message is drawn for the terminal THEN timestamps read relative to now and mentions as @username', () => {
    const now = Date.UTC(2025, 0, 1, 12, 0, 0);
    expect(relativeText(now + 80_000, now)).toBe('in 1m 20s');
    expect(relativeText(now - 120_000, now)).toBe('2m 00s ago');
    expect(relativeText(now + 300, now)).toBe('now');
    const lines = renderMessage(
      {
        content: '<@111>, your video is ready.',
        embeds: [
          {
            title: 'Done',
            description: '**Generating**\n-# small print',
            fields: [{ name: 'ETA', value: `<t:${(now + 45_000) / 1000}:R>`, inline: true }],
            footer: { text: 'a \\*literal\\* star' },
          },
        ],
        components: [],
        attachments: [],
        flags: 64,
      },
      { now, botName: 'Bot', users: new Map([['111', 'mika']]) },
    );
    expect(lines).toEqual([
      '(only you can see this) @mika, your video is ready.',
      '',
      'Done',
      'Generating',
      'small print',
      'ETA in 45s',
      'a *literal* star',
    ]);
  });
});

describe('npm run demo -- --store=redis://…', () => {
  const DB = 15;

  it('GIVEN an empty Redis database WHEN the demo runs on it THEN the same session runs on Redis, as shard processes use it, and the database is empty again at the end', async (ctx) => {
    if (!(await redisAvailable())) ctx.skip();
    await flushDb(DB);
    const lines: string[] = [];
    await runDemo({ write: (line) => lines.push(line), speed: 5, storeUrl: redisUrl(DB) });
    const transcript = lines.join('\n');
    expect(transcript).toContain(`store               Redis at ${redisUrl(DB)}, as shard processes use it (emptied again at the end)`);
    expect(transcript).toContain('✅ Your video is ready');
    expect(transcript).toContain('(only you can see this) I could not start that video');
    expect(transcript).toMatch(/sam +\/quota show\n.*\(only you can see this\) 📊 Video quota of this server/);
    expect(transcript).toContain('the Redis database is empty again.');
    const client = await rawRedis(DB);
    try {
      expect(await client.dbSize()).toBe(0);
    } finally {
      await client.quit();
    }
  });

  it('GIVEN a Redis database holding anything (it could be a running bot’s) WHEN the demo is pointed at it THEN it refuses before starting and leaves the database as it was', async (ctx) => {
    if (!(await redisAvailable())) ctx.skip();
    await flushDb(DB);
    const client = await rawRedis(DB);
    try {
      await client.set('someone:else', 'keep me');
      const lines: string[] = [];
      await expect(runDemo({ write: (line) => lines.push(line), speed: 5, storeUrl: redisUrl(DB) })).rejects.toThrow(
        `${redisUrl(DB)} holds 1 key: the demo runs only on an empty Redis database`,
      );
      expect(lines).toEqual([]);
      expect(await client.get('someone:else')).toBe('keep me');
    } finally {
      await client.flushDb();
      await client.quit();
    }
  });

  it('GIVEN a Redis URL with a password where nothing answers WHEN the demo is pointed at it THEN it says it could not reach Redis, without printing the password', async () => {
    const refused = runDemo({ write: () => undefined, speed: 5, storeUrl: 'redis://:secret-77@127.0.0.1:1/15' });
    await expect(refused).rejects.toThrow('the demo could not reach Redis at redis://:[redacted]@127.0.0.1:1/15');
    await expect(refused).rejects.not.toThrow(/secret-77/);
  });

  it('GIVEN rediss:// (TLS) to a Redis without TLS WHEN the demo is pointed at it THEN it says to use redis://, without printing the password', async (ctx) => {
    if (!(await redisAvailable())) ctx.skip();
    const refused = runDemo({ write: () => undefined, speed: 5, storeUrl: `rediss://:secret-78@${REDIS_HOST}:${REDIS_PORT}/15` });
    await expect(refused).rejects.toThrow('use redis:// instead of rediss://');
    await expect(refused).rejects.not.toThrow(/secret-78/);
  }, 20_000);

  it('GIVEN a step that does not happen in time (the bot cannot log in within 1 ms) WHEN the demo runs THEN it stops, naming the step it waited for', async () => {
    const stopped = runDemo({ write: () => undefined, speed: 5, stepTimeoutMs: 1 });
    await expect(stopped).rejects.toBeInstanceOf(DemoTimeoutError);
    await expect(stopped).rejects.toThrow('timed out after 1 ms waiting for the bot to log in to the fake Discord');
    // No wait at all is not a step timeout: said before anything starts.
    await expect(runDemo({ write: () => undefined, stepTimeoutMs: 0 })).rejects.toThrow(RangeError);
  });
});

describe('npm run demo arguments', () => {
  it('GIVEN --store=<url> or --store <url> THEN both name the store; nothing means memory', () => {
    expect(demoArgs(['--store=redis://127.0.0.1:6379/15'])).toEqual({ storeUrl: 'redis://127.0.0.1:6379/15', help: false });
    expect(demoArgs(['--store', 'redis://127.0.0.1:6379/15'])).toEqual({ storeUrl: 'redis://127.0.0.1:6379/15', help: false });
    expect(demoArgs([])).toEqual({ help: false });
    expect(demoArgs(['--help'])).toEqual({ help: true });
  });

  it('GIVEN a mistyped argument THEN the demo does not quietly run on another store: it names the argument and shows the usage', () => {
    expect(() => demoArgs(['--stor=redis://127.0.0.1:6379/15'])).toThrow(/--stor.*\n.*Usage: npm run demo/s);
    expect(() => demoArgs(['redis://127.0.0.1:6379/15'])).toThrow(/Usage: npm run demo/);
    expect(() => demoArgs(['--store'])).toThrow(/--store/);
  });

  it('GIVEN a store the demo does not describe (a SQLite file, a typo) THEN it says which stores it takes instead of running on it', () => {
    expect(() => demoArgs(['--store=sqlite://data/demo.sqlite'])).toThrow(
      /--store takes memory:\/\/ or a Redis URL.*\n.*Usage: npm run demo/s,
    );
    expect(() => demoArgs(['--store=127.0.0.1:6379/15'])).toThrow(/--store takes memory:\/\//);
    expect(() => demoArgs(['--store=redi://:s3cret@127.0.0.1:6379/15'])).not.toThrow(/s3cret/);
    expect(() => demoArgs(['--store=s3cret@127.0.0.1:6379/15'])).not.toThrow(/s3cret/);
    expect(() => demoArgs(['--store='])).toThrow(/--store needs a value/);
    expect(demoArgs(['--store=memory://'])).toEqual({ storeUrl: 'memory://', help: false });
    expect(demoArgs(['--store', ' redis://127.0.0.1:6379/15 '])).toEqual({ storeUrl: 'redis://127.0.0.1:6379/15', help: false });
  });

  it('GIVEN a Redis URL the bot would refuse (a password with an unencoded / or #) THEN the demo says what the bot says, with the fix, before contacting Redis', () => {
    expect(() => demoArgs(['--store=redis://bot:p@s3cret/x@127.0.0.1:6379/15'])).toThrow(/--store: .*%2F/);
    expect(() => demoArgs(['--store=redis://:s3c#ret@127.0.0.1:6379/15'])).toThrow(/%23/);
    expect(() => demoArgs(['--store=redis://127.0.0.1:6379/abc'])).toThrow(/must be a number/);
    expect(() => demoArgs(['--store=redis://bot:p@s3cret/x@127.0.0.1:6379/15'])).not.toThrow(/s3cret/);
    expect(demoArgs(['--store=REDIS://127.0.0.1:6379/15'])).toEqual({ storeUrl: 'REDIS://127.0.0.1:6379/15', help: false });
  });
});
