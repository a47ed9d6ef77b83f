import { randomBytes } from 'node:crypto';
import { MessageFlags, type Interaction, type RepliableInteraction } from 'discord.js';
import { translatorFor } from '../i18n/index.js';
import type { BotContext, ButtonHandler, Command, MessageCommand, ModalHandler, Where } from './command.js';
import { installedGuildId } from './interaction-context.js';
import {
  ACKNOWLEDGE_WITHIN_MS,
  alreadyAcknowledged,
  guardInteraction,
  type EarlyAckOptions,
  type FirstAnswer,
  type GuardedInteraction,
} from './early-ack.js';

export interface RouterForms {
  /** ALLOWED_GUILD_IDS: the only servers served; unset = every server. */
  allowedGuildIds?: readonly string[] | undefined;
  messageCommands?: readonly MessageCommand[];
  modals?: readonly ModalHandler[];
  /** How long a handler has to answer before it is acknowledged on its behalf (default 2 s). */
  acknowledgeWithinMs?: number;
}

/** Callers of `whenAnswered` whose bounds end in the same slice of this many ms share one wait. */
export const SHARED_WAIT_MS = 25;

/**
 * The one error boundary for interactions: every handler is awaited here; an unexpected error
 * is logged with a short reference the member can quote, and answered ephemerally. Every
 * command, button and form is guarded (early-ack.ts): one still working near Discord's 3 s
 * deadline, on a slow store say, is acknowledged on its behalf and answers later.
 */
export function createInteractionRouter(
  commands: readonly Command[],
  buttons: readonly ButtonHandler[],
  ctx: BotContext,
  forms: RouterForms = {},
) {
  const byName = new Map(commands.map((command) => [command.data.name, command]));
  const messageCommands = new Map((forms.messageCommands ?? []).map((command) => [command.data.name, command]));
  const modals = forms.modals ?? [];
  // ALLOWED_GUILD_IDS: a public bot's invite link cannot make the operator's key pay for strangers.
  const allowedGuilds = forms.allowedGuildIds ? new Set(forms.allowedGuildIds) : undefined;
  const withinMs = forms.acknowledgeWithinMs ?? ACKNOWLEDGE_WITHIN_MS;
  let accepting = true;
  const inFlight = new Set<Promise<void>>();
  // Interactions whose first answer is not sent yet, and who waits for there to be none. Waiters
  // whose deadlines fall in the same slice of SHARED_WAIT_MS share one promise and one timer,
  // which ends at the slice's start (never after a waiter's own bound, at most that much before):
  // a burst of /video asks 200 times within a few hundred ms, and a timer, a promise and a
  // closure each were a measurable part of its CPU (issue 15).
  let unanswered = 0;
  interface Waiting {
    promise: Promise<void>;
    release: () => void;
  }
  let waiting = new Map<number, Waiting>();
  const answered = () => {
    unanswered -= 1;
    if (unanswered > 0) return;
    const released = waiting;
    waiting = new Map();
    for (const wait of released.values()) wait.release();
  };

  // Interactions being handled, by id: the same interaction delivered again meanwhile is not
  // handled twice (two handlings would share one count of callback attempts; see early-ack.ts).
  const handling = new Set<string>();

  function route(interaction: Interaction): Promise<void> {
    if (handling.has(interaction.id)) {
      ctx.logger.warn({ interactionId: interaction.id }, 'the same interaction arrived again while it was being handled; ignored');
      return Promise.resolve();
    }
    handling.add(interaction.id);
    const handled = handle(interaction);
    inFlight.add(handled);
    void handled.finally(() => {
      inFlight.delete(handled);
      handling.delete(interaction.id);
    });
    return handled;
  }

  /**
   * One interaction being handled: counted as unanswered until its first answer landed (Discord
   * answered the callback) or its handler ended, whichever is first; and the listener of its
   * guard. A class, not closures made per interaction: see early-ack.ts (issue 15's burst).
   */
  class Handling implements EarlyAckOptions {
    guard: GuardedInteraction<RepliableInteraction> | undefined;
    firstAnswer: FirstAnswer = 'private';
    readonly withinMs: number = withinMs;
    private handler = '';
    private counted = false;

    constructor(private readonly interaction: Interaction) {}

    /** A child logger costs a redaction pass over its fields: made only when something is logged. */
    log() {
      const { id, guildId, user } = this.interaction;
      return ctx.logger.child({ interactionId: id, guildId, userId: user.id });
    }

    /** The interaction as its handler gets it: acknowledged for it when it is late. */
    guarded<T extends RepliableInteraction>(target: T, firstAnswer: FirstAnswer, handler: string): T {
      unanswered += 1;
      this.counted = true;
      this.firstAnswer = firstAnswer;
      this.handler = handler;
      const made = guardInteraction(target, this);
      this.guard = made;
      return made.interaction;
    }

    onFirstAnswer(): void {
      this.stopCounting();
    }

    onEarlyAck(kind: 'deferReply' | 'deferUpdate'): void {
      this.log().info({ handler: this.handler, kind, withinMs }, 'handler still busy near the deadline; acknowledged on its behalf');
    }

    onEarlyAckError(err: unknown): void {
      this.log().warn({ err, handler: this.handler }, 'early acknowledgement failed');
    }

    stopCounting(): void {
      if (!this.counted) return;
      this.counted = false;
      answered();
    }
  }

  async function handle(interaction: Interaction): Promise<void> {
    const handling = new Handling(interaction);
    try {
      if (allowedGuilds && interaction.guildId !== null && !allowedGuilds.has(interaction.guildId)) {
        await refuseGuild(interaction);
        handling.log().info('interaction from a server not in ALLOWED_GUILD_IDS; refused');
        return;
      }
      if (interaction.isAutocomplete()) {
        await byName.get(interaction.commandName)?.autocomplete?.(interaction, ctx);
        return;
      }
      if (!accepting && interaction.isRepliable()) {
        await interaction.reply({ content: translatorFor(interaction.locale)('error.restarting'), flags: MessageFlags.Ephemeral });
        return;
      }
      if (interaction.isChatInputCommand()) {
        const command = byName.get(interaction.commandName);
        if (!command || (await outsideServers(interaction, command.where))) return;
        if (ctx.logger.isLevelEnabled('debug')) handling.log().debug({ command: interaction.commandName }, 'command received');
        await command.execute(handling.guarded(interaction, command.firstAnswer ?? 'private', interaction.commandName), ctx);
        return;
      }
      if (interaction.isMessageContextMenuCommand()) {
        const command = messageCommands.get(interaction.commandName);
        if (!command || (await outsideServers(interaction, command.where))) return;
        handling.log().debug({ command: interaction.commandName }, 'message command received');
        await command.execute(handling.guarded(interaction, command.firstAnswer ?? 'private', interaction.commandName), ctx);
        return;
      }
      if (interaction.isButton()) {
        const handler = buttons.find((candidate) => interaction.customId.startsWith(candidate.prefix));
        if (!handler || (await outsideServers(interaction, handler.where))) return;
        await handler.execute(
          handling.guarded(interaction, handler.firstAnswer ?? 'update', handler.prefix),
          interaction.customId.slice(handler.prefix.length),
          ctx,
        );
        return;
      }
      if (interaction.isModalSubmit()) {
        const handler = modals.find((candidate) => interaction.customId.startsWith(candidate.prefix));
        if (!handler || (await outsideServers(interaction, handler.where))) return;
        await handler.execute(
          handling.guarded(interaction, handler.firstAnswer ?? 'private', handler.prefix),
          interaction.customId.slice(handler.prefix.length),
          ctx,
        );
      }
    } catch (err) {
      if (alreadyAcknowledged(err)) {
        // Discord refused an answer as already acknowledged. For a handler's first answer (the
        // guard counts its attempts) that means someone else had answered: a retry of ours that
        // landed counts as made and never gets here. The member has that answer, not ours. The
        // router's own answers are not counted: there it may also be a retry of ours that landed.
        if (handling.guard)
          handling
            .log()
            .warn(
              { err },
              'interaction already answered by someone else: is a second process running this bot with the same token and shard (an overlapping deploy, SHARD_IDS)?',
            );
        else
          handling.log().warn({ err }, 'an answer was refused as already acknowledged (a retry that landed, or another process answered)');
        return;
      }
      const ref = randomBytes(4).toString('hex');
      handling.log().error({ err, ref }, 'interaction failed');
      // The guard's deferral, if one is on its way, lands first; then the error answer knows what to follow.
      const guard = handling.guard;
      guard?.dispose();
      await guard?.settled();
      if (interaction.isRepliable()) await answerError(interaction, ref, guard?.replyDeleted() ?? false).catch(() => undefined);
    } finally {
      handling.guard?.dispose();
      handling.stopCounting();
    }
  }

  return {
    route,
    /**
     * Resolves once no interaction is waiting for its first answer, or after `maxWaitMs` (up to
     * {@link SHARED_WAIT_MS} sooner: callers whose bounds end close together share one wait). Work that
     * can wait (sending a video request to the provider, which takes minutes anyway) asks this
     * first, so a burst of `/video` is acknowledged before the submissions it starts compete with
     * the acknowledgements still to come (issue 15).
     */
    whenAnswered(maxWaitMs: number): Promise<void> {
      if (unanswered <= 0) return Promise.resolve();
      const slice = Math.floor((performance.now() + maxWaitMs) / SHARED_WAIT_MS);
      const shared = waiting.get(slice);
      if (shared) return shared.promise;
      let release = () => undefined as void;
      const promise = new Promise<void>((resolve) => {
        const timer = setTimeout(
          () => {
            if (waiting.get(slice)?.promise === promise) waiting.delete(slice);
            resolve();
          },
          Math.max(0, slice * SHARED_WAIT_MS - performance.now()),
        );
        timer.unref();
        release = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      waiting.set(slice, { promise, release });
      return promise;
    },
    /** New interactions get a short "restarting" answer from now on. */
    stopAccepting() {
      accepting = false;
    },
    /** Resolves when the interactions being handled are done, or after `maxWaitMs`. */
    async drain(maxWaitMs: number): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, maxWaitMs);
      });
      await Promise.race([Promise.allSettled([...inFlight]), timeout]);
      clearTimeout(timer);
    },
  };
}

/**
 * The "something went wrong" answer. `replyDeleted`: the interaction's reply was deleted (a private
 * refusal took the place of a public acknowledgement, see early-ack.ts), so it cannot be edited.
 */
async function answerError(interaction: RepliableInteraction, ref: string, replyDeleted: boolean): Promise<void> {
  const content = translatorFor(interaction.locale)('error.unexpected', { ref });
  const allowedMentions = { parse: [] };
  // Deferred and not answered yet: the deferral's own reply says it (Discord would turn a first
  // follow-up into that reply anyway, public when the deferral was). It stays the one message of
  // this request, so a later ending (a restart's "the bot restarted") edits it instead of adding one.
  if (interaction.deferred && !interaction.replied && !replyDeleted)
    await interaction.editReply({ content, embeds: [], components: [], allowedMentions });
  else if (interaction.deferred || interaction.replied)
    await interaction.followUp({ content, flags: MessageFlags.Ephemeral, allowedMentions });
  else await interaction.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions });
}

/** The one "in a server only" answer, for every command, button and form that needs a server: true when given. */
async function outsideServers(target: RepliableInteraction, where: Where | undefined): Promise<boolean> {
  if ((where ?? 'servers') === 'anywhere' || installedGuildId(target) !== null) return false;
  await target.reply({
    content: translatorFor(target.locale)('error.guild_only'),
    flags: MessageFlags.Ephemeral,
    allowedMentions: { parse: [] },
  });
  return true;
}

/** The private answer in a server not in ALLOWED_GUILD_IDS: nothing is looked up or spent. */
async function refuseGuild(interaction: Interaction): Promise<void> {
  if (interaction.isAutocomplete()) {
    await interaction.respond([]);
    return;
  }
  if (interaction.isRepliable()) {
    await interaction.reply({
      content: translatorFor(interaction.locale)('error.guild_not_enabled'),
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
    });
  }
}
