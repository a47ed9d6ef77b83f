/**
 * Message context-menu commands (application command type 3), the modals a bot shows (callback
 * type 9) and their submissions (interaction type 5, MODAL_SUBMIT), in Discord's shapes:
 * a message command carries `data.target_id` and the message in `data.resolved.messages`; a modal
 * holds up to 5 top-level components, each a Label (type 18) around a text input (4) or a string
 * select (3), or a legacy action row (1) around one text input; the submission mirrors that
 * structure with each field's `value` (text input) or `values` (select).
 */
import { errors, type RouteResult } from './http-util.js';
import { apiMessage } from './payloads.js';
import { buildInteraction, type ContextOverrides } from './interactions.js';
import type { FakeDiscordState, InteractionState } from './state.js';
import type { FakeInteractionContextSpec, Json, JsonObject } from './types.js';

/** Input of `dispatchMessageCommand`. */
export interface FakeMessageCommandSpec extends FakeInteractionContextSpec {
  /** The command's name as registered (e.g. "Animate image"). */
  commandName: string;
  /** A stored message (see `postMessage`) the member right-clicked. */
  messageId: string;
}

/** Input of `submitModal`: what the member typed or picked, by custom id. */
export interface FakeModalSubmitSpec {
  /** The interaction the bot answered with the modal. */
  interactionId: string;
  /** Text input values (string) and select values (string[]), by custom id; unnamed fields are left as prefilled. */
  values: Record<string, string | string[]>;
  /** Default: the same member, channel and locale as the interaction that opened the modal. */
  context?: FakeInteractionContextSpec;
}

const asObject = (value: Json | undefined): JsonObject => (value && typeof value === 'object' && !Array.isArray(value) ? value : {});
const asArray = (value: Json | undefined): Json[] => (Array.isArray(value) ? value : []);
const codePoints = (text: string) => [...text].length;

/** Builds and registers a message command interaction (type 2, command type 3) on a stored message. */
export function buildMessageCommandInteraction(state: FakeDiscordState, spec: FakeMessageCommandSpec): InteractionState {
  const message = state.messages.get(spec.messageId);
  if (!message || message.deleted) throw new Error(`fake discord: no stored message ${spec.messageId}`);
  const data: JsonObject = {
    id: state.commandIdFor(spec.commandName, message.guildId),
    name: spec.commandName,
    type: 3,
    target_id: message.id,
    resolved: { messages: { [message.id]: apiMessage(state, message) } },
  };
  const overrides: ContextOverrides = { guildId: message.guildId, channelId: message.channelId };
  return buildInteraction(state, 2, spec, data, overrides);
}

const TEXT_STYLES = [1, 2];

/**
 * Checks a modal the way Discord does (400, 50035 otherwise): custom_id 1–100, title 1–45,
 * 1–5 top-level components, text inputs with a custom_id, a style, lengths within 0–4000 and a
 * value within them, string selects with 1–25 options and sane min/max values.
 */
export function checkModal(data: JsonObject): RouteResult | undefined {
  const customId = data['custom_id'];
  const title = data['title'];
  if (typeof customId !== 'string' || customId.length < 1 || customId.length > 100)
    return errors.invalidForm('custom_id: Must be between 1 and 100 in length.');
  if (typeof title !== 'string' || codePoints(title) < 1 || codePoints(title) > 45)
    return errors.invalidForm('title: Must be between 1 and 45 in length.');
  const top = asArray(data['components']);
  if (top.length < 1 || top.length > 5) return errors.invalidForm('components: Must be between 1 and 5 in length.');
  const ids = new Set<string>();
  for (const raw of top) {
    const component = asObject(raw);
    let fields: JsonObject[];
    if (component['type'] === 18) {
      const label = component['label'];
      if (typeof label !== 'string' || codePoints(label) < 1 || codePoints(label) > 45)
        return errors.invalidForm('label: Must be between 1 and 45 in length.');
      const description = component['description'];
      if (description !== undefined && (typeof description !== 'string' || codePoints(description) > 100))
        return errors.invalidForm('description: Must be 100 or fewer in length.');
      fields = [asObject(component['component'])];
      if (fields[0]?.['label'] !== undefined) return errors.invalidForm('label: A text input inside a label cannot have its own label.');
    } else if (component['type'] === 1) {
      fields = asArray(component['components']).map(asObject);
      if (fields.length !== 1 || fields[0]?.['type'] !== 4)
        return errors.invalidForm('components: An action row in a modal holds exactly one text input.');
    } else {
      return errors.invalidForm('components: Modals take labels (18) or action rows (1).');
    }
    for (const field of fields) {
      const id = field['custom_id'];
      if (typeof id !== 'string' || id.length < 1 || id.length > 100 || ids.has(id))
        return errors.invalidForm('custom_id: Must be unique and between 1 and 100 in length.');
      ids.add(id);
      const problem =
        field['type'] === 4 ? checkTextInput(field) : field['type'] === 3 ? checkStringSelect(field) : 'Unsupported component in a modal.';
      if (problem) return errors.invalidForm(problem);
    }
  }
  return undefined;
}

function checkTextInput(field: JsonObject): string | undefined {
  if (!TEXT_STYLES.includes(Number(field['style']))) return 'style: Must be 1 (short) or 2 (paragraph).';
  const min = field['min_length'] === undefined ? 0 : Number(field['min_length']);
  const max = field['max_length'] === undefined ? 4000 : Number(field['max_length']);
  if (!(min >= 0 && min <= 4000 && max >= 1 && max <= 4000 && min <= max)) return 'min_length/max_length: Must be within 0 to 4000.';
  const value = field['value'];
  if (value !== undefined && (typeof value !== 'string' || codePoints(value) > max)) return `value: Must be ${max} or fewer in length.`;
  const placeholder = field['placeholder'];
  if (placeholder !== undefined && (typeof placeholder !== 'string' || codePoints(placeholder) > 100))
    return 'placeholder: Must be 100 or fewer in length.';
  return undefined;
}

function checkStringSelect(field: JsonObject): string | undefined {
  const options = asArray(field['options']).map(asObject);
  if (options.length < 1 || options.length > 25) return 'options: Must be between 1 and 25 in length.';
  for (const option of options) {
    if (
      typeof option['label'] !== 'string' ||
      codePoints(option['label']) > 100 ||
      typeof option['value'] !== 'string' ||
      option['value'].length > 100
    ) {
      return 'options: label and value must be 100 or fewer in length.';
    }
  }
  const min = field['min_values'] === undefined ? 1 : Number(field['min_values']);
  const max = field['max_values'] === undefined ? 1 : Number(field['max_values']);
  if (!(min >= 0 && max >= 1 && min <= max && max <= options.length)) return 'min_values/max_values: Must fit the options.';
  return undefined;
}

/** What the member submits for one field, as the Discord client would send it (or why it cannot). */
function submitted(field: JsonObject, values: FakeModalSubmitSpec['values']): JsonObject {
  const id = String(field['custom_id']);
  const given = values[id];
  if (field['type'] === 4) {
    const value = typeof given === 'string' ? given : typeof field['value'] === 'string' ? field['value'] : '';
    const max = field['max_length'] === undefined ? 4000 : Number(field['max_length']);
    const min = field['min_length'] === undefined ? 0 : Number(field['min_length']);
    const required = field['required'] !== false;
    // The client does not let a member send what the input does not allow.
    if ((required && value.length === 0) || codePoints(value) > max || (value.length > 0 && codePoints(value) < min)) {
      throw new Error(`fake discord: the client would not submit ${JSON.stringify(value.slice(0, 40))} for text input ${id}`);
    }
    return { type: 4, id: Number(field['id'] ?? 0), custom_id: id, value };
  }
  const picked = Array.isArray(given)
    ? given
    : asArray(field['options'])
        .map(asObject)
        .filter((o) => o['default'] === true)
        .map((o) => String(o['value']));
  const allowed = new Set(asArray(field['options']).map((o) => String(asObject(o)['value'])));
  const min = field['min_values'] === undefined ? 1 : Number(field['min_values']);
  const max = field['max_values'] === undefined ? 1 : Number(field['max_values']);
  const required = field['required'] !== false;
  if (
    picked.some((v) => !allowed.has(v)) ||
    picked.length > max ||
    (required && picked.length < Math.max(1, min)) ||
    (picked.length > 0 && picked.length < min)
  ) {
    throw new Error(`fake discord: the client would not submit ${JSON.stringify(picked)} for select ${id}`);
  }
  return { type: 3, id: Number(field['id'] ?? 0), custom_id: id, values: picked };
}

/** Builds and registers the MODAL_SUBMIT interaction (type 5) of a modal the bot showed. */
export function buildModalSubmitInteraction(state: FakeDiscordState, spec: FakeModalSubmitSpec): InteractionState {
  const opener = state.interactions.get(spec.interactionId);
  const modal = asObject(opener?.modal);
  if (!opener || opener.callbackType !== 9) throw new Error(`fake discord: interaction ${spec.interactionId} showed no modal`);
  const unknown = Object.keys(spec.values).filter((id) => !JSON.stringify(modal).includes(`"custom_id":${JSON.stringify(id)}`));
  if (unknown.length > 0) throw new Error(`fake discord: the modal has no field ${unknown.join(', ')}`);
  const components = asArray(modal['components']).map((raw): JsonObject => {
    const component = asObject(raw);
    if (component['type'] === 18) {
      return { type: 18, id: Number(component['id'] ?? 0), component: submitted(asObject(component['component']), spec.values) };
    }
    return {
      type: 1,
      id: Number(component['id'] ?? 0),
      components: asArray(component['components']).map((f) => submitted(asObject(f), spec.values)),
    };
  });
  const data: JsonObject = { custom_id: String(modal['custom_id']), components };
  const context: FakeInteractionContextSpec = {
    user: opener.user,
    locale: typeof opener.payload['locale'] === 'string' ? opener.payload['locale'] : 'en-US',
    ...(opener.payload['member'] ? { memberPermissions: String(asObject(opener.payload['member'])['permissions'] ?? '') } : {}),
    ...spec.context,
  };
  const extra: JsonObject = {};
  // A modal opened from a button carries the message the button is on, as Discord sends it.
  const fromMessage = opener.componentMessageId ? state.messages.get(opener.componentMessageId) : undefined;
  if (fromMessage) extra['message'] = apiMessage(state, fromMessage);
  const interaction = buildInteraction(state, 5, context, data, { guildId: opener.guildId, channelId: opener.channelId }, extra);
  if (fromMessage) interaction.componentMessageId = fromMessage.id;
  return interaction;
}
