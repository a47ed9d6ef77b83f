import { ApplicationCommandType } from 'discord.js';
import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  MessageContextMenuCommandInteraction,
  ModalSubmitInteraction,
  REST,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord.js';
import type { Logger } from '../log.js';
import type { AdminLog } from './admin-log.js';
import type { JobService } from '../jobs/job-service.js';
import type { QuotaService } from '../quota/quota-service.js';
import type { JobHistory } from '../jobs/history.js';
import type { DraftStore } from '../jobs/drafts.js';
import type { PressClaims } from '../jobs/press-claims.js';
import type { LastFrameExtractor } from '../video/last-frame.js';
import type { FirstFrameImage } from '../video/request.js';
import type { ImageVerdict } from '../video/image-check.js';
import type { FirstAnswer } from './early-ack.js';

/** What handlers may call: services, never the store or HTTP directly. */
export interface BotContext {
  /** Days a finished job stays in /videos (HISTORY_DAYS). */
  historyDays: number;
  /** The operator's daily ceiling across all servers in credits (QUOTA_GLOBAL_LIMIT), if set. */
  globalQuotaLimit: number | undefined;
  jobs: JobService;
  quota: QuotaService;
  /** Members' own videos, for /videos. */
  history: Pick<JobHistory, 'page'>;
  /** What a member picked before a form was shown to them (Animate image's first frame). */
  drafts: DraftStore;
  /** One press per result per member while its job is starting (Regenerate, Edit, Extend). */
  presses: PressClaims;
  /** Takes a video's last frame for Extend; absent when ffmpeg is not installed (no Extend button then). */
  frames?: LastFrameExtractor;
  /**
   * Settles once it is known whether ffmpeg runs (asked at start, while the bot logs in); `frames`
   * is final after it. A press that arrives while the bot connects waits for it (see edit-flow.ts).
   */
  framesChecked?: Promise<void>;
  /** Checks an attached first frame's bytes against its claimed type. */
  inspectImage: (image: FirstFrameImage) => Promise<ImageVerdict>;
  logger: Logger;
  clock: () => number;
  /** Posts admin events to each server's log channel and knows whether it could. */
  adminLog: AdminLog;
  /**
   * Resolves once no member's interaction is waiting for its first answer, or after at most 500 ms
   * (the router's count, see interaction-router.ts `whenAnswered`). Work that follows an answer and
   * can wait a moment (a new job joining the line after its deferral) asks it first, so a burst of
   * /video is acknowledged before that work competes with the acknowledgements still to come
   * (issue 15). Absent: nothing waits.
   */
  acknowledgementsFirst?: () => Promise<void>;
  /**
   * The REST client for reads made with an interaction's token alone (see
   * `createInteractionTokenRest`); absent: the interaction's own client.
   */
  interactionRest?: REST;
}

/**
 * Where a command, button or form works: `servers` (the default) only in a server where the bot
 * itself is installed — the router answers anywhere else (a DM, a user install) with the one
 * "in a server only" message before the handler runs; `anywhere` also in a DM with the bot.
 */
export type Where = 'servers' | 'anywhere';

/** One slash command: its definition and thin handlers. */
export interface Command {
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /** How it answers first; an answer that is late is deferred that way (default `private`). */
  firstAnswer?: FirstAnswer;
  /** Where it works (default `servers`); see {@link Where}. */
  where?: Where;
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
  autocomplete?(interaction: AutocompleteInteraction, ctx: BotContext): Promise<void>;
}

/** One message context-menu command (Apps → …): its definition and thin handler. */
export interface MessageCommand {
  data: RESTPostAPIContextMenuApplicationCommandsJSONBody;
  /** How it answers first (default `private`); `modal` for one that opens a form. */
  firstAnswer?: FirstAnswer;
  /** Where it works (default `servers`); see {@link Where}. */
  where?: Where;
  execute(interaction: MessageContextMenuCommandInteraction, ctx: BotContext): Promise<void>;
}

/** Handles the submitted forms (modals) whose custom id starts with `prefix`. */
export interface ModalHandler {
  prefix: string;
  /** How it answers first (default `private`). */
  firstAnswer?: FirstAnswer;
  /** Where it works (default `servers`); see {@link Where}. */
  where?: Where;
  execute(interaction: ModalSubmitInteraction, id: string, ctx: BotContext): Promise<void>;
}

/** Handles the buttons whose custom id starts with `prefix`. */
export interface ButtonHandler {
  prefix: string;
  /** How it answers first (default `update`: the message holding the button); `modal` for one that opens a form. */
  firstAnswer?: FirstAnswer;
  /** Where it works (default `servers`); see {@link Where}. */
  where?: Where;
  execute(interaction: ButtonInteraction, id: string, ctx: BotContext): Promise<void>;
}

/** True when a loaded module has the shape of a Command (checked when commands are loaded). */
export function isCommand(value: unknown): value is Command {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Command>;
  return typeof candidate.data?.name === 'string' && typeof candidate.execute === 'function';
}

/** True when a loaded module has the shape of a message command (type 3). */
export function isMessageCommand(value: unknown): value is MessageCommand {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<MessageCommand>;
  return (
    candidate.data?.type === ApplicationCommandType.Message &&
    typeof candidate.data.name === 'string' &&
    typeof candidate.execute === 'function'
  );
}
