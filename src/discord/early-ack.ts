import {
  DiscordAPIError,
  InteractionResponseType,
  RESTJSONErrorCodes,
  MessageFlags,
  MessageFlagsBitField,
  Routes,
  type MessageFlagsResolvable,
  type REST,
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
    const id = await originalReplyId(target);
    raw = { resource: { message: id === null ? null : { id } } };
  }
  target.deferred = true;
  target.ephemeral = ephemeral;
  const parsed = callbackResponse.safeParse(raw);
  const id = parsed.success ? parsed.data.resource?.message?.id : undefined;
  return { resource: { message: id === undefined ? null : { id } } };
}

const messageWithId = z.object({ id: z.string() });

/**
 * The id of the interaction's reply message (`GET /webhooks/{application}/{token}/messages/@original`,
 * with the interaction token), read as JSON for the id only, without building a discord.js
 * Message. For a reply deferred without `with_response`, whose 204 carries no message: a burst of
 * /video is acknowledged sooner when its deferrals leave without asking for one (each answer's
 * body read and parsed while other members still wait; issue 15), and the ids are read once the
 * burst has its acknowledgements. `rest`: the client to read with (default the interaction's own;
 * see `createInteractionTokenRest` for why the bot passes another). `deadlineMs`: how long the
 * read may take in all, retries included. Null when Discord has no such reply or the read failed
 * or ran out of time; never throws.
 */
export async function originalReplyId(
  target: RepliableInteraction,
  rest: REST = target.client.rest,
  deadlineMs?: number,
): Promise<string | null> {
  try {
    const signal = deadlineMs === undefined ? undefined : AbortSignal.timeout(deadlineMs);
    const raw = await rest.get(Routes.webhookMessage(target.applicationId, target.token, '@original'), {
      auth: false,
      ...(signal && { signal }),
    });
    const parsed = messageWithId.safeParse(raw);
    return parsed.success ? parsed.data.id : null;
  } catch {
    return null;
  }
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

/**
 * A guarded interaction. Its methods are called on it (`guard.dispose()`): it is a class instance,
 * so a method taken off it or a spread copy loses it.
 */
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
  return new InteractionGuard(target, options);
}

/** The answers the guard takes over; every other property is the interaction's own. */
const ANSWER_NAMES = [
  'reply',
  'deferReply',
  'deferUpdate',
  'update',
  'showModal',
  'editReply',
  'followUp',
  'deleteReply',
  'fetchReply',
] as const;
type AnswerName = (typeof ANSWER_NAMES)[number];
const ANSWERS: ReadonlySet<string | symbol> = new Set(ANSWER_NAMES);

/**
 * The proxy's one trap: the guard's answers in place of the interaction's, the interaction's
 * other methods bound to it (discord.js' methods read private state through `this`).
 */
class GuardTraps<T extends RepliableInteraction> implements ProxyHandler<T> {
  constructor(private readonly guard: InteractionGuard<T>) {}

  get(object: T, prop: string | symbol): unknown {
    if (ANSWERS.has(prop)) return this.guard.answer(prop as AnswerName);
    const value: unknown = Reflect.get(object, prop, object);
    return typeof value === 'function' ? (value as Call).bind(object) : value;
  }
}

/**
 * One guarded interaction (see {@link guardInteraction}). A class rather than closures: a burst
 * of /video guards 200 interactions at once, and the closures made per interaction (each named
 * again by the bundle's keepNames, a runtime call apiece) were 0.9 MB of the 30 MB a burst
 * allocated before its last acknowledgement (issue 15's `--alloc-prof`). Answer functions are
 * made when the handler first reads them.
 */
class InteractionGuard<T extends RepliableInteraction> implements GuardedInteraction<T> {
  readonly interaction: T;
  private first: First | undefined;
  private replyGone = false;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly timer: NodeJS.Timeout | undefined;
  private answers: Partial<Record<AnswerName, Call>> | undefined;

  constructor(
    private readonly target: T,
    private readonly options: EarlyAckOptions,
  ) {
    if (options.firstAnswer !== 'modal') {
      this.timer = setTimeout(InteractionGuard.acknowledgeEarly, options.withinMs, this);
      this.timer.unref();
    }
    this.interaction = new Proxy(target, new GuardTraps(this));
  }

  /** The timer's callback: the handler has not answered within `withinMs`; defer on its behalf. */
  private static acknowledgeEarly(this: void, guard: InteractionGuard<RepliableInteraction>): void {
    if (guard.first) return;
    const { options, target } = guard;
    const update = options.firstAnswer === 'update';
    const ephemeral = options.firstAnswer === 'private';
    const done = guard.begin(update ? 'deferUpdate' : 'deferReply', ephemeral, () =>
      update ? guard.real('deferUpdate')() : deferReplyForId(target, ephemeral),
    );
    options.onEarlyAck?.(update ? 'deferUpdate' : 'deferReply');
    done.catch((err: unknown) => options.onEarlyAckError?.(err));
  }

  /** The guard's `name` answer as a function the handler can call (made once, on first read). */
  answer(name: AnswerName): Call {
    this.answers ??= {};
    const made = this.answers[name];
    if (made) return made;
    // Assigned, not named by a `const`: the bundle's keepNames would name it again on each make.
    return (this.answers[name] = (...args) => this.call(name, args));
  }

  private call(name: AnswerName, args: unknown[]): Promise<unknown> {
    switch (name) {
      case 'reply':
        return this.reply(args[0] as Payload);
      case 'deferReply':
        return this.deferReply(args[0]);
      case 'deferUpdate':
        return this.deferUpdate(args[0]);
      case 'update':
        return this.update(args[0] as Payload);
      case 'showModal':
        return this.showModal(args[0]);
      case 'deleteReply':
        return this.serial(() => this.deleteReply(args));
      default:
        // editReply, followUp, fetchReply: in turn after every answer before them.
        return this.serial(() => this.real(name)(...args));
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  async settled(): Promise<void> {
    await this.chain;
  }

  replyDeleted(): boolean {
    return this.replyGone;
  }

  /** Runs `op` after every answer started before it, landed or failed. */
  private serial<R>(op: () => Promise<R>): Promise<R> {
    const run = this.chain.then(op);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** The interaction's own `name` method, bound to it. */
  private real(name: string): Call {
    const method = (this.target as unknown as Record<string, Call>)[name];
    if (typeof method !== 'function') throw new Error(`this interaction cannot ${name}`);
    return method.bind(this.target);
  }

  /**
   * A first answer whose retry was refused as already acknowledged was made (see
   * {@link landedOnRetry}): the member saw it, so it counts as made, and the interaction is
   * marked as discord.js marks it on success, so the handler goes on (a Cancel is carried out, a
   * private answer is not followed by an error). It resolves to nothing then.
   */
  private async madeOnRetry(kind: FirstKind, ephemeral: boolean, op: () => Promise<unknown>): Promise<unknown> {
    const target = this.target;
    try {
      return await op();
    } catch (err) {
      if (!landedOnRetry(target, err)) throw err;
      if (kind === 'deferReply' || kind === 'deferUpdate') target.deferred = true;
      else target.replied = true;
      if (kind === 'reply' || kind === 'deferReply') target.ephemeral = ephemeral;
      return undefined;
    }
  }

  private begin(kind: FirstKind, ephemeral: boolean, op: () => Promise<unknown>): Promise<unknown> {
    watchCallbackAttempts(this.target.client.rest, this.target.id);
    const done = this.serial(() => this.madeOnRetry(kind, ephemeral, op));
    this.first = { kind, ephemeral, done };
    done.then(
      () => this.landed(),
      () => this.landed(),
    );
    return done;
  }

  /** The first answer landed or failed. */
  private landed(): void {
    forgetCallbackAttempts(this.target.client.rest, this.target.id);
    this.options.onFirstAnswer?.();
  }

  /** After the first answer landed: if it failed, the interaction cannot be answered again safely. */
  private afterFirst<R>(current: First, op: () => Promise<R>): Promise<R> {
    return this.serial(async () => (await current.done, op()));
  }

  /** Deletes the reply (`@original` unless another message is named) and remembers that it is gone. */
  private async deleteReply(args: unknown[]): Promise<unknown> {
    const done = await this.real('deleteReply')(...args);
    if (args[0] === undefined || args[0] === '@original') this.replyGone = true;
    return done;
  }

  private reply(payload: Payload): Promise<unknown> {
    const ephemeral = isEphemeral(payload);
    if (!this.first) return this.begin('reply', ephemeral, () => this.real('reply')(payload));
    const current = this.first;
    return this.afterFirst(current, async () => {
      if (current.kind !== 'deferReply' || this.replyGone) return this.real('followUp')(payload);
      if (current.ephemeral === ephemeral) return this.real('editReply')(asEdit(payload));
      // A private answer cannot turn a public deferral private (nor the reverse): it takes its place.
      await this.deleteReply([]).catch(() => undefined);
      return this.real('followUp')(payload);
    });
  }

  private deferReply(deferOptions: unknown): Promise<unknown> {
    const ephemeral = isEphemeral(deferOptions);
    const withResponse = (deferOptions as { withResponse?: boolean } | undefined)?.withResponse === true;
    if (!this.first) {
      return this.begin('deferReply', ephemeral, () =>
        withResponse ? deferReplyForId(this.target, ephemeral) : this.real('deferReply')(deferOptions),
      );
    }
    if (this.first.kind === 'deferReply') return this.first.done;
    return Promise.reject(new Error(`deferReply after the interaction was answered (${this.first.kind})`));
  }

  private deferUpdate(deferOptions: unknown): Promise<unknown> {
    if (!this.first) return this.begin('deferUpdate', false, () => this.real('deferUpdate')(deferOptions));
    if (this.first.kind === 'deferUpdate') return this.first.done;
    return Promise.reject(new Error(`deferUpdate after the interaction was answered (${this.first.kind})`));
  }

  private update(payload: Payload): Promise<unknown> {
    if (!this.first) return this.begin('update', false, () => this.real('update')(payload));
    const current = this.first;
    if (current.kind !== 'deferUpdate' && current.kind !== 'deferReply') {
      return Promise.reject(new Error(`update after the interaction was answered (${current.kind})`));
    }
    // After deferUpdate the original response is the button's message; after a reply deferral, the new reply.
    return this.afterFirst(current, () => this.real('editReply')(asEdit(payload)));
  }

  private showModal(modal: unknown): Promise<unknown> {
    if (!this.first) return this.begin('modal', false, () => this.real('showModal')(modal));
    return Promise.reject(
      new Error(`showModal after the interaction was answered (${this.first.kind}): declare the handler's first answer 'modal'`),
    );
  }
}
