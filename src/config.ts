import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { costOverridesSchema } from './quota/costs.js';
import { redisUrlMisreading } from './store/redis-options.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const positiveInt = (name: string, example: string) =>
  z.coerce
    .number({ error: `${name} must be a whole number, for example ${example}` })
    .int(`${name} must be a whole number, for example ${example}`)
    .positive(`${name} must be greater than 0, for example ${example}`);

const nonNegativeInt = (name: string, example: string) =>
  z.coerce
    .number({ error: `${name} must be a whole number, for example ${example}` })
    .int(`${name} must be a whole number, for example ${example}`)
    .min(0, `${name} must be 0 or more, for example ${example}`);

const httpUrl = (name: string, example: string) =>
  z
    .string()
    .url(`${name} must be an http(s) URL, for example ${example}`)
    .refine((value) => /^https?:\/\//.test(value), `${name} must start with http:// or https://, for example ${example}`)
    .transform((value) => value.replace(/\/+$/, ''));

const snowflake = (name: string) =>
  z.string().regex(/^\d{17,20}$/, `${name} must be a Discord id (17 to 20 digits), for example 1100000000000000001`);

const emptyToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const STORE_URL_HINT =
  'STORE_URL must be sqlite://path/to/file.sqlite, redis://host:6379/0 or memory://, for example sqlite://data/bot.sqlite';

/**
 * What is wrong with a STORE_URL, or undefined. Catches the typos that would otherwise start the
 * bot on a store nobody meant: `sqlite:/x` (one slash: once a folder named `sqlite:`), a SQLite
 * URL naming a folder, a Redis URL without a host, with a database that is not a number, or with
 * a `?`, `#` or stray `%` (a password's, not encoded). Never repeats a Redis URL's text: it may hold a password.
 */
export function storeUrlProblem(value: string): string | undefined {
  if (/^memory:/.test(value)) return undefined;
  if (/^sqlite:/i.test(value)) {
    const path = value.slice('sqlite://'.length);
    if (!/^sqlite:\/\//.test(value) || path === '') {
      return `STORE_URL=${value} is not a SQLite URL: write sqlite:// then the file's path, for example sqlite://data/bot.sqlite (relative to the working folder) or sqlite:///var/lib/hailuo-video-bot/bot.sqlite (absolute)`;
    }
    if (/[\\/]$/.test(path)) return `STORE_URL=${value} names a folder: add the file's name, for example ${value}bot.sqlite`;
    return undefined;
  }
  if (/^rediss?:/i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return 'STORE_URL is not a valid Redis URL: write redis://[:password@]host:port/db, for example redis://127.0.0.1:6379/0 (a / ? # or @ in the password must be written %2F %3F %23 %40)';
    }
    if (!/^rediss?:$/.test(url.protocol) || url.hostname === '') {
      return 'STORE_URL names no Redis host: write redis://[:password@]host:port/db, for example redis://127.0.0.1:6379/0';
    }
    // A / in a password ends the URL's host part early (redis://bot:p@ss/word@host:6379/0 reads as
    // host "ss", redis://default:/secret@host:6379/0 as host "default"): what follows reads as the
    // database, ending in an @ and the real host:port or host/db. A password cut in two, not a
    // database name.
    if (!/^(\/\d*)?$/.test(url.pathname)) {
      return /@[^@/:]+(:\d+(\/\d*)?|\/\d*)$/.test(url.pathname)
        ? 'STORE_URL: what follows the host holds an @, so the password was cut at a /: write a / in a password as %2F and an @ as %40, for example redis://bot:p%40ss%2Fword@127.0.0.1:6379/0'
        : 'STORE_URL: the Redis database after the host must be a number, for example redis://127.0.0.1:6379/0';
    }
    // Not echoed: the URL may hold the password.
    switch (redisUrlMisreading(value, url)) {
      case 'dropped-whitespace':
        return 'STORE_URL holds a tab or a line break, which URL parsing drops (Redis would get another password than the one typed): remove it, or write it percent-encoded (%09, %0A, %0D)';
      case 'query-or-fragment':
        return 'STORE_URL holds a ? or #, which a Redis URL does not have: in a password, write ? as %3F and # as %23, for example redis://:pa%23ss@127.0.0.1:6379/0';
      case 'stray-percent':
        return 'STORE_URL has a % in its user or password that is not followed by two hex digits: write a % as %25';
      default:
        return undefined;
    }
  }
  return STORE_URL_HINT;
}

const SHARD_COUNT_HINT = 'SHARD_COUNT must be a whole number of shards or auto, for example 2';
const SHARD_IDS_HINT = 'SHARD_IDS must be a comma-separated list of shard numbers counted from 0, for example 0,1';

const schema = z.object({
  DISCORD_TOKEN: z
    .string({ error: 'DISCORD_TOKEN is required: the bot token from the Discord Developer Portal (Bot → Reset Token)' })
    .min(1, 'DISCORD_TOKEN is required: the bot token from the Discord Developer Portal (Bot → Reset Token)'),
  DISCORD_API_URL: httpUrl('DISCORD_API_URL', 'https://discord.com/api').default('https://discord.com/api'),
  DISCORD_DEV_GUILD_ID: z.preprocess(emptyToUndefined, snowflake('DISCORD_DEV_GUILD_ID').optional()),
  XCOMPUTE_API_KEY: z
    .string({ error: 'XCOMPUTE_API_KEY is required: your key from https://xcompute.us/keys' })
    .min(1, 'XCOMPUTE_API_KEY is required: your key from https://xcompute.us/keys'),
  XCOMPUTE_BASE_URL: httpUrl('XCOMPUTE_BASE_URL', 'https://xcompute.us').default('https://xcompute.us'),
  XCOMPUTE_STATUS_PATH: z
    .string()
    .refine(
      (value) => value.startsWith('/') && value.includes('{task_id}'),
      'XCOMPUTE_STATUS_PATH must start with / and contain {task_id}, for example /v1/tasks/{task_id}',
    )
    .default('/v1/tasks/{task_id}'),
  // Schemes are case-insensitive (RFC 3986); the checks, the store and its start-up check read them lower case.
  // Spaces or a \r around the value (an environment set by hand, a CRLF file) are not part of it.
  STORE_URL: z.preprocess(
    (value) => (typeof value === 'string' ? value.trim().replace(/^[a-z]+:/i, (scheme) => scheme.toLowerCase()) : value),
    z
      .string()
      .superRefine((value, ctx) => {
        const problem = storeUrlProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .default('sqlite://data/bot.sqlite'),
  ),
  STORE_ALLOW_VOLATILE: z.preprocess(
    (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
    z.enum(['true', 'false'], { error: 'STORE_ALLOW_VOLATILE must be true or false, for example false' }).default('false'),
  ),
  ALLOWED_GUILD_IDS: z
    .string()
    .regex(
      /^\s*\d{17,20}\s*(,\s*\d{17,20}\s*)*,?\s*$/,
      'ALLOWED_GUILD_IDS must be a comma-separated list of server ids (17 to 20 digits), for example 1100000000000000001,1100000000000000002',
    )
    .transform((value) => [
      ...new Set(
        value
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id !== ''),
      ),
    ])
    .optional(),
  POLL_INTERVAL_MS: z.preprocess(emptyToUndefined, positiveInt('POLL_INTERVAL_MS', '5000').default(5000)),
  PROGRESS_EDIT_MIN_MS: z.preprocess(emptyToUndefined, nonNegativeInt('PROGRESS_EDIT_MIN_MS', '3000').default(3000)),
  DISCORD_REST_TIMEOUT_MS: z.preprocess(emptyToUndefined, positiveInt('DISCORD_REST_TIMEOUT_MS', '15000').default(15_000)),
  DISCORD_UPLOAD_TIMEOUT_MS: z.preprocess(emptyToUndefined, positiveInt('DISCORD_UPLOAD_TIMEOUT_MS', '180000').default(180_000)),
  JOB_MAX_AGE_MS: z.preprocess(emptyToUndefined, positiveInt('JOB_MAX_AGE_MS', '1800000').default(30 * 60_000)),
  JOB_STALL_MS: z.preprocess(emptyToUndefined, positiveInt('JOB_STALL_MS', '900000').default(15 * 60_000)),
  LOG_LEVEL: z.preprocess(
    (value) => (typeof value === 'string' ? value.trim().toLowerCase() || undefined : value),
    z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, for example info` }).default('info'),
  ),
  QUOTA_DEFAULT_LIMIT: z.preprocess(emptyToUndefined, nonNegativeInt('QUOTA_DEFAULT_LIMIT', '20').default(20)),
  QUOTA_DEFAULT_PERIOD: z.preprocess(
    emptyToUndefined,
    z.enum(['day', 'week', 'month'], { error: 'QUOTA_DEFAULT_PERIOD must be day, week or month, for example day' }).default('day'),
  ),
  QUOTA_GLOBAL_LIMIT: z.preprocess(emptyToUndefined, nonNegativeInt('QUOTA_GLOBAL_LIMIT', '500').optional()),
  SHARD_COUNT: z.preprocess(
    (value) => (typeof value === 'string' ? value.trim().toLowerCase() || undefined : value),
    z
      .string({ error: SHARD_COUNT_HINT })
      .regex(/^(auto|[1-9]\d*)$/, SHARD_COUNT_HINT)
      .transform((value) => (value === 'auto' ? ('auto' as const) : Number(value)))
      .optional(),
  ),
  SHARD_IDS: z.preprocess(
    emptyToUndefined,
    z
      .string({ error: SHARD_IDS_HINT })
      .regex(/^\s*\d+\s*(,\s*\d+\s*)*$/, SHARD_IDS_HINT)
      .transform((value) => [...new Set(value.split(',').map((id) => Number(id.trim())))])
      .optional(),
  ),
  // Set by discord.js' ShardingManager in the processes it spawns, never by an operator.
  SHARDING_MANAGER: z.preprocess(emptyToUndefined, z.string().optional()),
  SHARDS: z.preprocess(emptyToUndefined, z.string().optional()),
  XCOMPUTE_MAX_RPM: z.preprocess(emptyToUndefined, positiveInt('XCOMPUTE_MAX_RPM', '20').default(20)),
  XCOMPUTE_MAX_POLLS_PER_S: z.preprocess(emptyToUndefined, positiveInt('XCOMPUTE_MAX_POLLS_PER_S', '10').default(10)),
  // The minute of XCOMPUTE_MAX_RPM; only tests and the bench shorten it, to watch a line move fast.
  XCOMPUTE_RPM_WINDOW_MS: z.preprocess(emptyToUndefined, positiveInt('XCOMPUTE_RPM_WINDOW_MS', '60000').default(60_000)),
  FFMPEG_PATH: z.preprocess(emptyToUndefined, z.string().default('ffmpeg')),
  VIDEO_TMP_DIR: z.preprocess(emptyToUndefined, z.string().optional()),
  HISTORY_DAYS: z.preprocess(
    emptyToUndefined,
    positiveInt('HISTORY_DAYS', '30').max(3650, 'HISTORY_DAYS must be at most 3650, for example 30').default(30),
  ),
  METRICS_PORT: z.preprocess(
    emptyToUndefined,
    nonNegativeInt('METRICS_PORT', '9100').max(65_535, 'METRICS_PORT must be at most 65535, for example 9100').optional(),
  ),
  QUOTA_COSTS: z.preprocess((value) => {
    if (typeof value !== 'string' || value.trim() === '') return undefined;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }, costOverridesSchema.optional()),
});

/**
 * How this process takes part in sharding. `manager`: SHARD_COUNT is set and this process spawns
 * one process per shard; `shard`: it is one of those processes and serves `own`.
 */
export type ShardingConfig = Readonly<{
  role: 'manager' | 'shard';
  /** SHARD_COUNT; always a number in a shard process (the manager resolves `auto`). */
  count: number | 'auto';
  /** SHARD_IDS: the shards this machine runs; undefined = all of them. */
  ids: readonly number[] | undefined;
  /** The shards this process serves (role `shard` only; empty for the manager). */
  own: readonly number[];
}>;

export type Config = Readonly<{
  discordToken: string;
  discordApiUrl: string;
  discordDevGuildId: string | undefined;
  xcomputeApiKey: string;
  xcomputeBaseUrl: string;
  xcomputeStatusPath: string;
  storeUrl: string;
  /** STORE_ALLOW_VOLATILE: start even on a Redis that keeps nothing on disk. */
  storeAllowVolatile: boolean;
  /** ALLOWED_GUILD_IDS: the servers the bot serves; undefined = every server it is in. */
  allowedGuildIds: readonly string[] | undefined;
  pollIntervalMs: number;
  progressEditMinMs: number;
  /** Discord REST request timeouts: ordinary requests, and uploads (long, so a slow upload is not retried). */
  discordTimeouts: Readonly<{ restMs: number; uploadMs: number }>;
  jobMaxAgeMs: number;
  /** A job whose provider status has not moved, or could not be read, for this long ends as expired. */
  jobStallMs: number;
  logLevel: (typeof LOG_LEVELS)[number];
  sharding: ShardingConfig | undefined;
  /** Provider budgets shared by every process on the same store. */
  rateLimits: Readonly<{ submitsPerMinute: number; pollsPerSecond: number; submitWindowMs: number }>;
  /** Port of /healthz and /metrics; undefined = not served. */
  metricsPort: number | undefined;
  /** The ffmpeg binary Extend takes a video's last frame with; when it does not run, Extend is not offered. */
  ffmpegPath: string;
  /** VIDEO_TMP_DIR: where finished videos wait between their download and the job's end. */
  videoTmpDir: string;
  /** Days a finished job's record (and its /videos entry) is kept before the sweep removes it. */
  historyDays: number;
  quota: Readonly<{
    defaultLimit: number;
    defaultPeriod: 'day' | 'week' | 'month';
    globalLimit: number | undefined;
    costs: Readonly<Record<string, number>> | undefined;
  }>;
}>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Only `STORE_URL` (same rule and default as {@link loadConfig}), for tools that read the store
 * without running the bot (`npm run report`), so they need no Discord token or API key.
 * Throws a ConfigError naming the variable and a good value.
 */
export function loadStoreUrl(env: Record<string, string | undefined> = process.env): string {
  const parsed = schema.pick({ STORE_URL: true }).safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => issue.message));
  return parsed.data.STORE_URL;
}

/**
 * VIDEO_TMP_DIR's default: `hailuo-video-bot-<uid>` in the system's temporary folder (`os.tmpdir()`,
 * i.e. TMPDIR or /tmp), one per user; `hailuo-video-bot` where there are no user ids (Windows).
 * A folder shared by every user stopped a bot run as a service user once the same folder had been
 * made by root (a first start with sudo, a test run): /tmp's sticky bit keeps the service user
 * from writing in it or replacing it, and the start ended on "cannot write VIDEO_TMP_DIR". A
 * default folder (or link) another local user made in the bot's place is refused at start-up (see
 * `checkVideoFolder`): its owner could read or swap the videos.
 */
export function defaultVideoTmpDir(): string {
  const uid = process.getuid?.();
  return join(tmpdir(), uid === undefined ? 'hailuo-video-bot' : `hailuo-video-bot-${uid}`);
}

/**
 * Reads the whole environment once. Every problem is reported together, each naming its
 * variable and a good value, so an operator fixes `.env` in one go.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty value means "unset" for every variable, as a template's `NAME=` lines leave it.
  const set = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = schema.safeParse(set);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? 'environment');
        return issue.message.startsWith(variable) ? issue.message : `${variable}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  const sharding = readSharding(e);
  return Object.freeze({
    discordToken: e.DISCORD_TOKEN,
    discordApiUrl: e.DISCORD_API_URL,
    discordDevGuildId: e.DISCORD_DEV_GUILD_ID,
    xcomputeApiKey: e.XCOMPUTE_API_KEY,
    xcomputeBaseUrl: e.XCOMPUTE_BASE_URL,
    xcomputeStatusPath: e.XCOMPUTE_STATUS_PATH,
    storeUrl: e.STORE_URL,
    storeAllowVolatile: e.STORE_ALLOW_VOLATILE === 'true',
    allowedGuildIds: freezeList(e.ALLOWED_GUILD_IDS),
    pollIntervalMs: e.POLL_INTERVAL_MS,
    progressEditMinMs: e.PROGRESS_EDIT_MIN_MS,
    discordTimeouts: Object.freeze({ restMs: e.DISCORD_REST_TIMEOUT_MS, uploadMs: e.DISCORD_UPLOAD_TIMEOUT_MS }),
    jobMaxAgeMs: e.JOB_MAX_AGE_MS,
    jobStallMs: e.JOB_STALL_MS,
    logLevel: e.LOG_LEVEL,
    sharding,
    rateLimits: Object.freeze({
      submitsPerMinute: e.XCOMPUTE_MAX_RPM,
      pollsPerSecond: e.XCOMPUTE_MAX_POLLS_PER_S,
      submitWindowMs: e.XCOMPUTE_RPM_WINDOW_MS,
    }),
    metricsPort: e.METRICS_PORT,
    historyDays: e.HISTORY_DAYS,
    ffmpegPath: e.FFMPEG_PATH,
    videoTmpDir: e.VIDEO_TMP_DIR ?? defaultVideoTmpDir(),
    quota: Object.freeze({
      defaultLimit: e.QUOTA_DEFAULT_LIMIT,
      defaultPeriod: e.QUOTA_DEFAULT_PERIOD,
      globalLimit: e.QUOTA_GLOBAL_LIMIT,
      costs: e.QUOTA_COSTS ? Object.freeze({ ...e.QUOTA_COSTS }) : undefined,
    }),
  });
}

/** SHARD_COUNT and SHARD_IDS checked together, plus what ShardingManager tells its children. */
function readSharding(e: z.infer<typeof schema>): ShardingConfig | undefined {
  const count = e.SHARD_COUNT;
  const ids = e.SHARD_IDS;
  if (count === undefined) {
    if (ids !== undefined)
      throw new ConfigError(['SHARD_IDS needs SHARD_COUNT, the total number of shards, for example SHARD_COUNT=2 with SHARD_IDS=0,1']);
    return undefined;
  }
  // Shard processes lock and cache in their own memory unless the store is shared (Redis):
  // two of them on one SQLite file could each spend the same credits.
  if (count !== 1 && !/^rediss?:/.test(e.STORE_URL)) {
    throw new ConfigError([
      `SHARD_COUNT=${count} runs one process per shard, and they must share a store: set STORE_URL to Redis, for example STORE_URL=redis://127.0.0.1:6379/0 (SQLite serves one process; use SHARD_COUNT=1 or leave it unset)`,
    ]);
  }
  if (typeof count === 'number' && ids?.some((id) => id >= count)) {
    throw new ConfigError([
      `SHARD_IDS must be below SHARD_COUNT (${count}), for example ${[...Array(Math.min(count, 3)).keys()].join(',')}`,
    ]);
  }
  if (e.SHARDING_MANAGER !== 'true') return Object.freeze({ role: 'manager', count, ids: freezeList(ids), own: [] });
  const own = parseShardList(e.SHARDS);
  if (typeof count !== 'number' || own.length === 0 || own.some((id) => id >= count)) {
    throw new ConfigError([
      'SHARDS and SHARD_COUNT are set by the sharding manager; start the bot with npm start instead of setting them by hand',
    ]);
  }
  return Object.freeze({ role: 'shard', count, ids: freezeList(ids), own: Object.freeze(own) });
}

/** discord.js passes a shard process its shard as `SHARDS=3` (or a JSON list). */
function parseShardList(raw: string | undefined): number[] {
  try {
    const value: unknown = JSON.parse(raw ?? '');
    const list = Array.isArray(value) ? value : [value];
    return list.every((id) => Number.isInteger(id) && (id as number) >= 0) ? (list as number[]) : [];
  } catch {
    return [];
  }
}

const freezeList = <T>(list: T[] | undefined): readonly T[] | undefined => (list ? Object.freeze([...list]) : undefined);
