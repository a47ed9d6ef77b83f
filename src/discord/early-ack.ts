import {
  DiscordAPIError,
  InteractionResponseType,
  RESTJSONErrorCodes,
  MessageFlags,
  MessageFlagsBitField,
  Routes,
  type MessageFlagsResolvable,
  type RepliableInteraction,
} from 'discord.js';
import { z } from 'zod';
import { callbackAttempts, forgetCallbackAttempts, watchCallbackAttempts } from './callback-attempts.js';

/**
 * How a handler answers first, declared next to it, so an early acknowledgement made on its
 * behalf looks like the answer it will give:
 * - `private`: an ephemeral reply (a deferral is ephemeral too);
 * - `public`: a reply everyone sees (a public deferral; /video's reply is edited for minutes);
 * - `update`: a button that changes the message it is on (deferUpdate);
 * - `modal`: opens a form, which must be the first answer: never deferred.
 */
export type FirstAnswer = 'private' | 'public' | 'update' | 'modal';

/** Leaves a second of Discord's 3 s for the acknowledgement itself to travel. */
export const ACKNOWLEDGE_WITHIN_MS = 2_000;

export interface EarlyAckOptions {
  firstAnswer: FirstAnswer;
  /** How long the handler has to answer before the acknowledgement is made for it. */
  withinMs: number;
  /** Told when the acknowledgement was made on the handler's behalf (the store or a service is slow). */
  onEarlyAck?: (kind: 'deferReply' | 'deferUpdate') => void;
  /** Told when that acknowledgement failed; the handler's own answer then fails with the same error. */
  onEarlyAckError?: (err: unknown) => void;
  /** Told once, when the interaction's first answer (reply, deferral, update or form) landed or failed. */
  onFirstAnswer?: () => void;
}

type FirstKind = 'reply' | 'deferReply' | 'deferUpdate' | 'update' | 'modal';

interface First {
  kind: FirstKind;
  ephemeral: boolean;
  /** The response of the first answer (a deferral's, for a handler's own deferReply later). */
  done: Promise<unknown>;
}

/**
 * What a reply deferral asked `withResponse` resolves to through the guard: the part of Discord's
 * interaction callback response the bot reads (the id of the reply's message). A subset of
 * discord.js' InteractionCallbackResponse, so handlers read it the same way.
 */
export interface DeferredReply {
  resource?: { message?: { id: string } | null } | null;
}

// Discord's interaction callback response (with_response=true): only the reply's id is read.
const callbackResponse = z.object({
  resource: z.object({ message: z.object({ id: z.string() }).nullish() }).nullish(),
});

/** Discord's 40060 "Interaction has already been acknowledged". */
export const alreadyAcknowledged = (err: unknown): boolean =>
  err instanceof DiscordAPIError && err.code === RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged;

/**
 * A 40060 on a retried interaction callback: the earlier attempt landed (Discord did it, then
 * answered 5xx or its answer was lost, and the REST client tried again), so the answer was made;
 * the guard sends one first answer per interaction. A 40060 on the first attempt is not ours:
 * another process answered the interaction (see callback-attempts.ts); it stays an error.
 */
const landedOnRetry = (target: RepliableInteraction, err: unknown): boolean =>
  alreadyAcknowledged(err) && (callbackAttempts(target.client.rest, target.id) ?? 0) >= 2;

/**
 * A reply deferral (type 5) sent as discord.js sends it, with `with_response=true`, whose answer is
 * read as JSON for the reply's message id only. discord.js would build a whole Message from it (its
 * interaction metadata, mentions, caches): about a quarter of the bot's CPU while a burst of /video
 * waits for its acknowledgements (issue 15's bench). The interaction is marked deferred as
 * discord.js marks it, so its later editReply/followUp work as usual.
 *
 * A deferral whose attempt landed although its answer did not (Discord did it and answered 5xx,
 * or the answer was lost, and the REST client tried again) gets 40060 "already acknowledged" on
 * the retry: the reply exists, so the deferral counts as made and the reply's id is read back
 * (`GET …/messages/@original`; null when even that fails). A 40060 on the first attempt (another
 * process answered) is thrown.
 *
 * @throws what the REST client throws (DiscordAPIError such as 10062, a timeout, a 40060 on the
 *   first attempt) other than a 40060 on a retry; nothing is marked then.
 */
async function deferReplyForId(target: RepliableInteraction, ephemeral: boolean): Promise<DeferredReply> {
  let raw: unknown;
  try {
    raw = await target.client.rest.post(Routes.interactionCallback(target.id, target.token), {
      body: { type: InteractionResponseType.DeferredChannelMessageWithSource, data: { flags: ephemeral ? MessageFlags.Ephemeral : 0 } },
      auth: false,
      query: new URLSearchParams({ with_response: 'true' }),
    });
  } catch (err) {
    if (!landedOnRetry(target, err)) throw err;
    const original = await target.client.rest
      .get(Routes.webhookMessage(target.applicationId, target.token, '@original'), { auth: false })
      .catch(() => null);
    raw = { resource: { message: original } };
  }
  target.deferred = true;
  target.ephemeral = ephemeral;
  const parsed = callbackResponse.safeParse(raw);
  const id = parsed.success ? parsed.data.resource?.message?.id : undefined;
  return { resource: { message: id === undefined ? null : { id } } };
}

/** The answers of a handler, as the wrapper sees them: any payload discord.js accepts. */
type Payload = string | Record<string, unknown>;
type Call = (...args: unknown[]) => Promise<unknown>;

const isEphemeral = (payload: unknown): boolean => {
  if (typeof payload !== 'object' || payload === null) return false;
  const flags = (payload as { flags?: MessageFlagsResolvable; ephemeral?: boolean }).flags;
  if ((payload as { ephemeral?: boolean }).ephemeral === true) return true;
  return flags !== undefined && new MessageFlagsBitField(flags).has(MessageFlags.Ephemeral);
};

/** A reply's payload as an edit of the deferred reply: visibility was set by the deferral. */
function asEdit(payload: Payload): Payload {
  if (typeof payload === 'string') return payload;
  const { flags, ephemeral: _ephemeral, withResponse: _withResponse, fetchReply: _fetchReply, ...rest } = payload;
  if (flags === undefined) return rest;
  const kept = new MessageFlagsBitField(flags as MessageFlagsResolvable).remove(MessageFlags.Ephemeral).bitfield;
  return kept === 0 ? rest : { ...rest, flags: kept };
}

export interface GuardedInteraction<T extends RepliableInteraction> {
  /** The interaction to hand to the handler: its answers go through the guard. */
  interaction: T;
  /** Stops the timer: the handler is done (or failed) and will answer no more on its own. */
  dispose(): void;
  /** Resolves when every answer started so far has landed or failed. */
  settled(): Promise<void>;
  /**
   * True once the interaction's reply was deleted (a private answer took the place of a public
   * deferral, or the handler deleted it): a later answer must be a follow-up, not an edit of it.
   */
  replyDeleted(): boolean;
}

/**
 * Guards one interaction so it is acknowledged within Discord's 3 s whatever the handler waits
 * for. If the handler has not answered within `withinMs`, the guard defers on its behalf (a reply
 * deferral with the declared visibility, or deferUpdate for a button that updates its message);
 * the handler's later answers then land where they belong: `reply` edits the deferred reply (or
 * replaces it with a follow-up when the visibility differs, as a private refusal after a public
 * deferral; once the reply is deleted, `reply` is a follow-up), `update` edits the button's
 * message, `deferReply`/`deferUpdate` return the deferral already made (a reply deferral asked
 * `withResponse` resolves to a {@link DeferredReply}, read without building a Message). Every
 * answer goes through one promise chain, so the guard and the handler never both acknowledge (no
 * 40060). A first answer whose retry Discord refuses with 40060 (its earlier attempt landed, then
 * 5xx or a lost answer) counts as made; a 40060 on its first attempt (another process answered)
 * is thrown. Handlers declared `modal` are never deferred: a form must be the first answer.
 */
export function guardInteraction<T extends RepliableInteraction>(target: T, options: EarlyAckOptions): GuardedInteraction<T> {
  let first: First | undefined;
  let replyGone = false;
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <R>(op: () => Promise<R>): Promise<R> => {
    const run = chain.then(op);
    chain = run.catch(() => undefined);
    return run;
  };
  const real = (name: string): Call => {
    const method = (target as unknown as Record<string, Call>)[name];
    if (typeof method !== 'function') throw new Error(`this interaction cannot ${name}`);
    return method.bind(target);
  };
  /**
   * A first answer whose retry was refused as already acknowledged was made (see
   * {@link landedOnRetry}): the member saw it, so it counts as made, and the interaction is
   * marked as discord.js marks it on success, so the handler goes on (a Cancel is carried out, a
   * private answer is not followed by an error). It resolves to nothing then.
   */
  const madeOnRetry = (kind: FirstKind, ephemeral: boolean, op: () => Promise<unknown>) => async (): Promise<unknown> => {
    try {
      return await op();
    } catch (err) {
      if (!landedOnRetry(target, err)) throw err;
      if (kind === 'deferReply' || kind === 'deferUpdate') target.deferred = true;
      else target.replied = true;
      if (kind === 'reply' || kind === 'deferReply') target.ephemeral = ephemeral;
      return undefined;
    }
  };
  const begin = (kind: FirstKind, ephemeral: boolean, op: () => Promise<unknown>): Promise<unknown> => {
    watchCallbackAttempts(target.client.rest, target.id);
    const done = serial(madeOnRetry(kind, ephemeral, op));
    first = { kind, ephemeral, done };
    const landed = () => {
      forgetCallbackAttempts(target.client.rest, target.id);
      options.onFirstAnswer?.();
    };
    done.then(landed, landed);
    return done;
  };
  // After the first answer landed: if it failed, the interaction cannot be answered again safely.
  const afterFirst = <R>(current: First, op: () => Promise<R>): Promise<R> => serial(async () => (await current.done, op()));
  /** Deletes the reply (`@original` unless another message is named) and remembers that it is gone. */
  const deleteReply = async (...args: unknown[]) => {
    const done = await real('deleteReply')(...args);
    if (args[0] === undefined || args[0] === '@original') replyGone = true;
    return done;
  };

  const timer =
    options.firstAnswer === 'modal'
      ? undefined
      : setTimeout(() => {
          if (first) return;
          const update = options.firstAnswer === 'update';
          const ephemeral = options.firstAnswer === 'private';
          const done = begin(update ? 'deferUpdate' : 'deferReply', ephemeral, () =>
            update ? real('deferUpdate')() : deferReplyForId(target, ephemeral),
          );
          options.onEarlyAck?.(update ? 'deferUpdate' : 'deferReply');
          done.catch((err: unknown) => options.onEarlyAckError?.(err));
        }, options.withinMs);
  timer?.unref();

  const answers: Record<string, Call> = {
    reply: (payload) => {
      const ephemeral = isEphemeral(payload);
      if (!first) return begin('reply', ephemeral, () => real('reply')(payload));
      const current = first;
      return afterFirst(current, async () => {
        if (current.kind !== 'deferReply' || replyGone) return real('followUp')(payload);
        if (current.ephemeral === ephemeral) return real('editReply')(asEdit(payload as Payload));
        // A private answer cannot turn a public deferral private (nor the reverse): it takes its place.
        await deleteReply().catch(() => undefined);
        return real('followUp')(payload);
      });
    },
    deferReply: (deferOptions) => {
      const ephemeral = isEphemeral(deferOptions);
      const withResponse = (deferOptions as { withResponse?: boolean } | undefined)?.withResponse === true;
      if (!first)
        return begin('deferReply', ephemeral, () => (withResponse ? deferReplyForId(target, ephemeral) : real('deferReply')(deferOptions)));
      if (first.kind === 'deferReply') return first.done;
      return Promise.reject(new Error(`deferReply after the interaction was answered (${first.kind})`));
    },
    deferUpdate: (deferOptions) => {
      if (!first) return begin('deferUpdate', false, () => real('deferUpdate')(deferOptions));
      if (first.kind === 'deferUpdate') return first.done;
      return Promise.reject(new Error(`deferUpdate after the interaction was answered (${first.kind})`));
    },
    update: (payload) => {
      if (!first) return begin('update', false, () => real('update')(payload));
      const current = first;
      if (current.kind !== 'deferUpdate' && current.kind !== 'deferReply') {
        return Promise.reject(new Error(`update after the interaction was answered (${current.kind})`));
      }
      // After deferUpdate the original response is the button's message; after a reply deferral, the new reply.
      return afterFirst(current, () => real('editReply')(asEdit(payload as Payload)));
    },
    showModal: (modal) => {
      if (!first) return begin('modal', false, () => real('showModal')(modal));
      return Promise.reject(
        new Error(`showModal after the interaction was answered (${first.kind}): declare the handler's first answer 'modal'`),
      );
    },
    editReply: (...args) => serial(() => real('editReply')(...args)),
    followUp: (...args) => serial(() => real('followUp')(...args)),
    deleteReply: (...args) => serial(() => deleteReply(...args)),
    fetchReply: (...args) => serial(() => real('fetchReply')(...args)),
  };

  const interaction = new Proxy(target, {
    get(object, prop) {
      if (typeof prop === 'string' && Object.hasOwn(answers, prop)) return answers[prop];
      const value: unknown = Reflect.get(object, prop, object);
      return typeof value === 'function' ? (value as Call).bind(object) : value;
    },
  });

  return {
    interaction,
    dispose() {
      if (timer) clearTimeout(timer);
    },
    async settled() {
      await chain;
    },
    replyDeleted: () => replyGone,
  };
}
