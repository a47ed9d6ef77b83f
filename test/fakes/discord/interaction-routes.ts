/**
 * Interaction callback route and the interaction-token webhook routes
 * (original response and follow-ups). These need no bot token.
 */
import { apiError, errors, json, noContent, type RouteResult } from './http-util.js';
import { checkFileSizes, checkPayload, checkPermissions, createMessage, deleteMessage, editMessage, isEmptyMessage } from './messages.js';
import { apiMessage } from './payloads.js';
import { checkModal } from './modals.js';
import type { Route, RouteContext } from './router.js';
import type { InteractionState } from './state.js';
import type { FakeMessage, Json, JsonObject } from './types.js';

const LOADING = 128;
const EPHEMERAL = 64;

/** Callback types allowed per interaction type. */
const ALLOWED_CALLBACKS: Record<number, number[]> = {
  2: [4, 5, 9, 10, 12],
  3: [4, 5, 6, 7, 9, 10],
  4: [8],
  5: [4, 5, 6, 7],
};

const asObject = (value: Json | undefined): JsonObject => (value && typeof value === 'object' && !Array.isArray(value) ? value : {});

function messageType(interaction: InteractionState): number {
  return interaction.type === 2 ? 20 : 0;
}

function callback(ctx: RouteContext): RouteResult {
  const { state } = ctx;
  const [id, token] = ctx.params;
  const interaction = id ? state.interactions.get(id) : undefined;
  if (!interaction || interaction.token !== token) return errors.unknownInteraction();
  if (interaction.acknowledged) return errors.alreadyAcknowledged();
  if (state.clock() - interaction.dispatchedAt > state.responseWindowMs) return errors.unknownInteraction();
  const type = ctx.body['type'];
  if (typeof type !== 'number' || !(ALLOWED_CALLBACKS[interaction.type] ?? []).includes(type)) {
    return apiError(400, 40043, 'Interaction callback type is not valid for this interaction.');
  }
  const data = asObject(ctx.body['data']);
  const invalid = checkFileSizes(ctx.files, interaction.attachmentSizeLimit) ?? checkPayload(state, data, type === 4 || type === 7);
  if (invalid) return invalid;
  let message: FakeMessage | undefined;
  const init = {
    channelId: interaction.channelId,
    guildId: interaction.guildId,
    type: messageType(interaction),
    viaWebhook: true,
    interactionId: interaction.id,
  };
  switch (type) {
    case 4:
      if (isEmptyMessage(data, ctx.files)) return errors.emptyMessage();
      message = createMessage(state, init, data, ctx.files);
      break;
    case 5: {
      const flags = typeof data['flags'] === 'number' ? data['flags'] & EPHEMERAL : 0;
      message = createMessage(state, { ...init, extraFlags: LOADING }, { flags, content: '' }, []);
      break;
    }
    case 6:
    case 7: {
      message = interaction.componentMessageId ? state.messages.get(interaction.componentMessageId) : undefined;
      if (!message) return errors.unknownMessage();
      if (type === 7) editMessage(state, message, data, ctx.files);
      break;
    }
    case 8:
      interaction.autocompleteChoices = data['choices'] ?? [];
      break;
    case 9: {
      const invalid = checkModal(data);
      if (invalid) return invalid;
      interaction.modal = data;
      break;
    }
    default:
      break;
  }
  interaction.acknowledged = true;
  interaction.callbackType = type;
  if (message) interaction.originalMessageId = message.id;
  const at = state.clock();
  state.callbacks.push({ interactionId: interaction.id, type, data: ctx.body['data'], at, afterMs: at - interaction.dispatchedAt });
  if (ctx.query.get('with_response') !== 'true') return noContent();
  const withMessage = message && (type === 4 || type === 5 || type === 7);
  return json({
    interaction: {
      id: interaction.id,
      type: interaction.type,
      activity_instance_id: null,
      ...(message
        ? {
            response_message_id: message.id,
            response_message_loading: (message.flags & LOADING) !== 0,
            response_message_ephemeral: (message.flags & EPHEMERAL) !== 0,
          }
        : {}),
    },
    resource: { type, ...(withMessage && message ? { message: apiMessage(state, message) } : {}) },
  });
}

function byToken(ctx: RouteContext): InteractionState | RouteResult {
  const [appId, token] = ctx.params;
  const interaction = token ? ctx.state.interactionsByToken.get(token) : undefined;
  if (!interaction || interaction.applicationId !== appId || !ctx.state.tokenValid(interaction)) {
    return errors.invalidWebhookToken();
  }
  return interaction;
}

const isResult = (value: InteractionState | RouteResult): value is RouteResult => 'status' in value;

function targetMessage(ctx: RouteContext, interaction: InteractionState): FakeMessage | undefined {
  const ref = ctx.params[2];
  const id = ref === '@original' ? interaction.originalMessageId : ref;
  const message = id ? ctx.state.messages.get(id) : undefined;
  if (!message || message.deleted) return undefined;
  const owned = message.interactionId === interaction.id || message.id === interaction.componentMessageId;
  return owned ? message : undefined;
}

function webhookMessage(ctx: RouteContext): RouteResult {
  const interaction = byToken(ctx);
  if (isResult(interaction)) return interaction;
  const message = targetMessage(ctx, interaction);
  if (!message) return errors.unknownMessage();
  if (ctx.method === 'GET') return json(apiMessage(ctx.state, message));
  if (ctx.method === 'DELETE') {
    deleteMessage(message);
    return noContent();
  }
  const invalid =
    checkFileSizes(ctx.files, interaction.attachmentSizeLimit) ??
    checkPayload(ctx.state, ctx.body) ??
    checkPermissions(ctx.state, message.channelId, ctx.body, ctx.files, false);
  if (invalid) return invalid;
  editMessage(ctx.state, message, ctx.body, ctx.files);
  return json(apiMessage(ctx.state, message));
}

function followUp(ctx: RouteContext): RouteResult {
  const { state } = ctx;
  const interaction = byToken(ctx);
  if (isResult(interaction)) return interaction;
  if (!interaction.acknowledged) return errors.unknownWebhook();
  const invalid =
    checkFileSizes(ctx.files, interaction.attachmentSizeLimit) ??
    checkPayload(ctx.state, ctx.body) ??
    checkPermissions(state, interaction.channelId, ctx.body, ctx.files, false);
  if (invalid) return invalid;
  if (isEmptyMessage(ctx.body, ctx.files)) return errors.emptyMessage();
  const original = interaction.originalMessageId ? state.messages.get(interaction.originalMessageId) : undefined;
  let message: FakeMessage;
  if (original && !original.deleted && original.flags & LOADING && original.interactionId === interaction.id) {
    // Discord: the first follow-up after a deferred reply replaces the "thinking" message.
    message = editMessage(state, original, ctx.body, ctx.files);
  } else {
    message = createMessage(
      state,
      {
        channelId: interaction.channelId,
        guildId: interaction.guildId,
        type: messageType(interaction),
        viaWebhook: true,
        interactionId: interaction.id,
      },
      ctx.body,
      ctx.files,
    );
  }
  return ctx.query.get('wait') === 'true' ? json(apiMessage(state, message)) : noContent();
}

const ID = '(\\d+)';
const TOKEN = '([^/]+)';

/** Interaction callback and interaction webhook routes. */
export const interactionRoutes: Route[] = [
  {
    methods: ['POST'],
    pattern: new RegExp(`^/v10/interactions/${ID}/${TOKEN}/callback$`),
    auth: 'none',
    handle: callback,
  },
  {
    methods: ['GET', 'PATCH', 'DELETE'],
    pattern: new RegExp(`^/v10/webhooks/${ID}/${TOKEN}/messages/(@original|\\d+)$`),
    auth: 'none',
    handle: webhookMessage,
  },
  {
    methods: ['POST'],
    pattern: new RegExp(`^/v10/webhooks/${ID}/${TOKEN}$`),
    auth: 'none',
    handle: followUp,
  },
];
