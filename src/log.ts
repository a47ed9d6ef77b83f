import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

// Field names that hold a secret wherever they appear: bot and interaction tokens, API keys,
// HTTP authorization headers (either spelling), and the config's own copies.
const SECRET_FIELDS = ['token', 'interactionToken', 'apiKey', 'authorization', 'Authorization', 'discordToken', 'xcomputeApiKey'];
// Top level and up to three objects deep covers a logged job (`job.reply.interactionToken`), a
// request (`req.headers.authorization`) and a config (`config.xcomputeApiKey`).
const DEPTHS = ['', '*.', '*.*.', '*.*.*.'];

/**
 * Paths pino blanks out, so a secret never reaches a log line even when a whole object (a request,
 * a job record, a config) is logged by mistake.
 */
export const REDACT_PATHS = SECRET_FIELDS.flatMap((field) => DEPTHS.map((prefix) => `${prefix}${field}`));

// Fields holding a connection URL: which store matters when reading logs, its password never does.
const URL_FIELDS = ['storeUrl', 'STORE_URL', 'url'];
const URL_PATHS = URL_FIELDS.flatMap((field) => DEPTHS.map((prefix) => `${prefix}${field}`));

/**
 * `redis://user:secret@host:6379/0` → `redis://user:[redacted]@host:6379/0`; a user part without
 * a colon may itself be the secret (`redis://token@host`), so it goes whole. Other values unchanged.
 * A password typed with `/` unencoded (base64 often has one: `redis://:ab/cd@host/0`, which no URL
 * parser reads) is hidden too: the credentials run to the last `@` before any `?` or `#`. Text
 * that is not a URL at all, and any Redis URL (a password typed with `#` or `?` cuts the URL short:
 * `redis://:ab#cd@host/0`), has its credentials run to the last `@` anywhere.
 */
export function withoutPassword(value: unknown): unknown {
  const text = value instanceof URL ? value.href : value;
  if (typeof text !== 'string') return value;
  // A SQLite URL is a path, which may hold an `@`, and never a password.
  if (/^\s*sqlite:/i.test(text)) return text;
  // A Redis URL has no query or fragment that could hold an `@`: whatever comes before its last
  // one (line breaks included, which URL parsers drop) is credentials.
  const greedy = /^\s*rediss?:/i.test(text) || !URL.canParse(text);
  // Unreadable text may have mistyped the scheme's `://` (`redis:/`, `redis//`): still a scheme.
  const credentials = greedy ? /^(\s*[a-z][a-z0-9+.-]*(?::\/*|\/+))([\s\S]*)@/i : /^(\s*[a-z][a-z0-9+.-]*:\/\/)([^?#]*)@/i;
  return text.replace(credentials, (_all, scheme: string, typed: string) => {
    const colon = typed.indexOf(':');
    return colon === -1 ? `${scheme}[redacted]@` : `${scheme}${typed.slice(0, colon)}:[redacted]@`;
  });
}

function censor(value: unknown, path: string[]): unknown {
  return URL_FIELDS.includes(path.at(-1) ?? '') ? withoutPassword(value) : '[redacted]';
}

export interface LoggerOptions {
  level: string;
  /** Pretty, coloured lines for a person at a terminal; JSON lines otherwise. */
  pretty?: boolean;
  /** Where JSON lines go instead of stdout (tests read them back); ignored when `pretty`. */
  destination?: DestinationStream;
}

/** The one logger of a process: JSON lines (or pretty at a terminal) with secrets redacted. */
export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    level: options.level,
    redact: { paths: [...REDACT_PATHS, ...URL_PATHS], censor },
    base: { service: 'hailuo-video-bot' },
    ...(options.pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  };
  return options.destination && !options.pretty ? pino(settings, options.destination) : pino(settings);
}

/**
 * Pretty, coloured log lines only for a person at a terminal, outside production, and when
 * pino-pretty is installed (a dev dependency: `npm ci --omit=dev` and the Docker image leave it
 * out). Otherwise JSON lines: pino-pretty runs in a worker thread that costs ~10 MiB and start-up time.
 */
export function wantsPrettyLogs(env: NodeJS.ProcessEnv = process.env, isTTY = process.stdout.isTTY === true): boolean {
  if (!isTTY || env.NODE_ENV === 'production') return false;
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** A logger that drops everything: for tests and scripts that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
