/**
 * Creating and editing stored messages from request payloads, Discord-style:
 * uploaded `files[n]` become attachments, `attachments` on edit lists the ones kept.
 */
import { errors, type RouteResult } from './http-util.js';
import { limitResult } from './limits.js';
import type { UploadedFile } from './multipart.js';
import type { FakeDiscordState } from './state.js';
import type { FakeMessage, FakeMessageAttachment, FakeUserSpec, Json, JsonObject } from './types.js';

/** Flags a message payload may set on create. */
const CREATE_FLAGS = 4 | 64 | 4096 | 32768;
/** Flags an edit may change. */
const EDIT_FLAGS = 4 | 32768;
const LOADING = 128;
const EPHEMERAL = 64;

/** Settings of a new message. */
export interface NewMessage {
  channelId: string;
  guildId: string | null;
  type: number;
  viaWebhook: boolean;
  interactionId?: string;
  author?: FakeUserSpec;
  /** Flags added regardless of the payload (e.g. LOADING for deferred replies). */
  extraFlags?: number;
}

const asArray = (value: Json | undefined): Json[] => (Array.isArray(value) ? value : []);

/** 413 when a file exceeds the limit. */
export function checkFileSizes(files: UploadedFile[], limit: number): RouteResult | undefined {
  return files.some((f) => f.data.length > limit) ? errors.tooLarge() : undefined;
}

/**
 * 400 / 50035 for a body over any of Discord's documented limits (see limits.ts), or without
 * `allowed_mentions` when `message` is set (a message create or edit, not a deferral).
 */
export function checkPayload(state: FakeDiscordState, payload: JsonObject, message = true): RouteResult | undefined {
  if (!state.enforceLimits) return undefined;
  return limitResult(payload, { requireAllowedMentions: message && state.requireAllowedMentions });
}

/** A channel permission the bot can be denied (see FakeDiscord.denyPermissions). */
export type FakePermission = 'send_messages' | 'attach_files' | 'embed_links';

/**
 * 403 / 50013 Missing Permissions, like Discord, for a non-ephemeral message in a channel where the
 * bot lacks what the payload needs: Attach Files for files, Embed Links for embeds, and (for a
 * create with the bot token) Send Messages. Interaction webhooks need no Send Messages.
 */
export function checkPermissions(
  state: FakeDiscordState,
  channelId: string,
  payload: JsonObject,
  files: UploadedFile[],
  needsSend: boolean,
): RouteResult | undefined {
  const denied = state.deniedPermissions.get(channelId);
  if (!denied || (typeof payload['flags'] === 'number' && (payload['flags'] & EPHEMERAL) !== 0)) return undefined;
  const missing =
    (needsSend && denied.has('send_messages')) ||
    (files.length > 0 && denied.has('attach_files')) ||
    (asArray(payload['embeds']).length > 0 && denied.has('embed_links'));
  return missing ? errors.missingPermissions() : undefined;
}

/** True when a create payload has nothing to show. */
export function isEmptyMessage(payload: JsonObject, files: UploadedFile[]): boolean {
  const content = payload['content'];
  return (
    (typeof content !== 'string' || content.length === 0) &&
    asArray(payload['embeds']).length === 0 &&
    asArray(payload['components']).length === 0 &&
    asArray(payload['sticker_ids']).length === 0 &&
    payload['poll'] === undefined &&
    files.length === 0
  );
}

function descriptionFor(payload: JsonObject, index: number): string | undefined {
  for (const entry of asArray(payload['attachments'])) {
    if (entry && typeof entry === 'object' && !Array.isArray(entry) && String(entry['id']) === String(index)) {
      const description = entry['description'];
      if (typeof description === 'string') return description;
    }
  }
  return undefined;
}

const MIME_BY_EXTENSION: Record<string, string> = {
  mp4: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json',
};

/** Like Discord, derive the content type from the file name when the upload did not name one. */
function contentTypeOf(file: UploadedFile): string {
  if (file.contentType && file.contentType !== 'application/octet-stream') return file.contentType;
  const extension = file.filename.split('.').pop()?.toLowerCase() ?? '';
  return MIME_BY_EXTENSION[extension] ?? 'application/octet-stream';
}

function storeFiles(state: FakeDiscordState, payload: JsonObject, files: UploadedFile[]): FakeMessageAttachment[] {
  return files.map((file) => {
    const contentType = contentTypeOf(file);
    const api = state.registerCdnFile({ filename: file.filename, contentType, data: file.data });
    const description = descriptionFor(payload, file.index);
    return {
      id: api.id,
      filename: file.filename,
      size: file.data.length,
      contentType,
      data: file.data,
      url: api.url,
      ...(description !== undefined ? { description } : {}),
    };
  });
}

function snapshot(state: FakeDiscordState, message: FakeMessage): void {
  message.history.push({
    content: message.content,
    embeds: message.embeds,
    components: message.components,
    attachments: message.attachments.map((a) => a.filename),
    flags: message.flags,
    at: state.clock(),
  });
}

/** Creates and stores a message. */
export function createMessage(state: FakeDiscordState, init: NewMessage, payload: JsonObject, files: UploadedFile[]): FakeMessage {
  const flags = typeof payload['flags'] === 'number' ? payload['flags'] & CREATE_FLAGS : 0;
  const content = payload['content'];
  const message: FakeMessage = {
    id: state.nextId(),
    channelId: init.channelId,
    guildId: init.guildId,
    content: typeof content === 'string' ? content : '',
    embeds: asArray(payload['embeds']),
    components: asArray(payload['components']),
    attachments: storeFiles(state, payload, files),
    flags: flags | (init.extraFlags ?? 0),
    author: init.author ?? state.botUser,
    type: init.type,
    viaWebhook: init.viaWebhook,
    createdAt: state.clock(),
    editedAt: null,
    history: [],
    allowedMentionsLog: [payload['allowed_mentions']],
    deleted: false,
    ...(init.interactionId !== undefined ? { interactionId: init.interactionId } : {}),
  };
  state.messages.set(message.id, message);
  snapshot(state, message);
  return message;
}

/** Applies an edit payload (and new files) to a stored message. */
export function editMessage(state: FakeDiscordState, message: FakeMessage, payload: JsonObject, files: UploadedFile[]): FakeMessage {
  const wasLoading = (message.flags & LOADING) !== 0;
  if ('content' in payload) {
    const content = payload['content'];
    message.content = typeof content === 'string' ? content : '';
  }
  if ('embeds' in payload) message.embeds = asArray(payload['embeds']);
  if ('components' in payload) message.components = asArray(payload['components']);
  const listed = payload['attachments'];
  if (Array.isArray(listed)) {
    const keep = new Set(
      listed.flatMap((entry) =>
        entry && typeof entry === 'object' && !Array.isArray(entry) && entry['id'] !== undefined ? [String(entry['id'])] : [],
      ),
    );
    message.attachments = message.attachments.filter((a) => keep.has(a.id));
  }
  message.attachments = [...message.attachments, ...storeFiles(state, payload, files)];
  let flags = message.flags & ~LOADING;
  if (typeof payload['flags'] === 'number') flags = (flags & ~EDIT_FLAGS) | (payload['flags'] & EDIT_FLAGS);
  message.flags = flags;
  // The first edit of a deferred ("thinking") reply is what the user sees as the reply.
  message.editedAt = wasLoading ? null : state.clock();
  message.allowedMentionsLog.push(payload['allowed_mentions']);
  snapshot(state, message);
  return message;
}

/** Marks a message deleted. */
export function deleteMessage(message: FakeMessage): void {
  message.deleted = true;
}

/** Whether a message is visible through bot-token channel routes. */
export function visibleInChannel(message: FakeMessage | undefined, channelId: string): message is FakeMessage {
  return !!message && !message.deleted && message.channelId === channelId && (message.flags & EPHEMERAL) === 0;
}
