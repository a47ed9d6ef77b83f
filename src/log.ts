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
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'hailuo-video-bot' },
    ...(options.pretty ? { transport: { target: 'pino-pretty', options: { colorize: true } } } : {}),
  };
  return options.destination && !options.pretty ? pino(settings, options.destination) : pino(settings);
}

/** A logger that drops everything: for tests and scripts that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
