import { randomBytes } from 'node:crypto';
import { DiscordAPIError, Routes, type REST } from 'discord.js';
import type { AdminEvent, AdminEventSink } from '../alerts/events.js';
import type { LogFailure, LogHealth } from '../alerts/log-health.js';
import type { Logger } from '../log.js';
import type { LogChannel } from '../quota/policy.js';
import { adminLogMessage } from './render/admin-log.js';

/** Posts admin events to each server's log channel; see {@link createAdminLog}. */
export interface AdminLog extends AdminEventSink {
  /** Resolves when every post for `guildId` started so far has finished (or after `maxWaitMs`). */
  idle(guildId: string, maxWaitMs?: number): Promise<void>;
  /** The last failed post to the guild's log channel, until one succeeds. */
  health(guildId: string): Promise<LogFailure | undefined>;
}

interface AdminLogDeps {
  rest: REST;
  /** The guild's log channel, or null when logging is off. */
  logChannel: (guildId: string) => Promise<LogChannel | null>;
  health: LogHealth;
  logger: Logger;
  clock: () => number;
}

const PROBLEMS: Record<number, LogFailure['problem']> = { 50001: 'no_access', 50013: 'missing_permissions', 10003: 'unknown_channel' };

/**
 * The Discord side of admin events: each becomes one embed in the server's log channel. Nothing
 * a member typed can ping: `allowed_mentions` parses nothing and lists only the alert role, and
 * only on a budget alert at 80 % or 100 %. Each message carries a nonce Discord enforces, so a
 * post the REST client retries after a lost answer is not posted twice. A post the channel
 * refuses (no access, no permission, channel gone) is recorded for `/quota show` to report.
 */
export function createAdminLog(deps: AdminLogDeps): AdminLog {
  const pending = new Map<string, Set<Promise<void>>>();

  async function post(guildId: string, event: AdminEvent): Promise<void> {
    const log = await deps.logChannel(guildId);
    if (!log) return;
    const { embed, pingRoleId } = adminLogMessage(event, log.locale, log.alertRoleId);
    const body = {
      ...(pingRoleId ? { content: `<@&${pingRoleId}>` } : {}),
      embeds: [embed],
      allowed_mentions: { parse: [], roles: pingRoleId ? [pingRoleId] : [] },
      nonce: randomBytes(12).toString('hex').slice(0, 25),
      enforce_nonce: true,
    };
    try {
      await deps.rest.post(Routes.channelMessages(log.channelId), { body });
    } catch (err) {
      const problem = err instanceof DiscordAPIError && typeof err.code === 'number' ? PROBLEMS[err.code] : undefined;
      const refused = problem ?? (err instanceof DiscordAPIError && (err.status === 403 || err.status === 404) ? 'other' : undefined);
      deps.logger.warn(
        { err, guildId, channelId: log.channelId, event: event.kind, problem: refused },
        'could not post to the log channel',
      );
      if (refused) await deps.health.failed(guildId, { channelId: log.channelId, problem: refused, at: deps.clock() });
      return;
    }
    await deps.health.succeeded(guildId);
  }

  return {
    emit(guildId, event) {
      const run = post(guildId, event).catch((err: unknown) => deps.logger.warn({ err, guildId, event: event.kind }, 'admin log failed'));
      const set = pending.get(guildId) ?? new Set();
      pending.set(guildId, set.add(run));
      void run.finally(() => {
        set.delete(run);
        if (set.size === 0 && pending.get(guildId) === set) pending.delete(guildId);
      });
    },
    async idle(guildId, maxWaitMs = 2_000) {
      const runs = [...(pending.get(guildId) ?? [])];
      if (runs.length === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, maxWaitMs);
      });
      await Promise.race([Promise.allSettled(runs), timeout]);
      clearTimeout(timer);
    },
    health: (guildId) => deps.health.read(guildId),
  };
}
