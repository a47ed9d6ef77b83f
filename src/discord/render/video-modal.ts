import { ComponentType, TextInputStyle, type APIModalInteractionResponseCallbackData } from 'discord.js';
import { translatorFor, type MessageKey } from '../../i18n/index.js';
import { CAMERA_MOVES } from '../../video/camera.js';
import { DURATIONS, PROMPT_MAX_LENGTH, RESOLUTIONS } from '../../video/request.js';

/** Custom ids of the form's fields; `prompt` is the contract of issue 13. */
export const MODAL_FIELDS = { prompt: 'prompt', duration: 'duration', resolution: 'resolution', camera: 'camera' } as const;

export interface VideoModalOptions {
  customId: string;
  title: MessageKey;
  locale: string;
  /** Prefilled prompt (cut to the input's limit by code points). */
  prompt?: string;
  /** Adds duration, resolution and camera selects (the form of Animate image). */
  settings?: boolean;
}

// Discord: a modal title holds 45 characters, a text input value 4000 (ours: the prompt limit).
const cut = (text: string, max: number) => [...text].slice(0, max).join('');

/**
 * A form for a video: a paragraph input `prompt` (up to 2000 characters, several lines allowed)
 * and, for Animate image, selects for duration, resolution and up to 3 camera moves. Labels
 * (component type 18) hold each field, as Discord's modals take them since 2025.
 */
export function videoModal(options: VideoModalOptions): APIModalInteractionResponseCallbackData {
  const t = translatorFor(options.locale);
  const components: APIModalInteractionResponseCallbackData['components'] = [
    {
      type: ComponentType.Label,
      label: t('modal.prompt.label'),
      description: t('modal.prompt.description'),
      component: {
        type: ComponentType.TextInput,
        custom_id: MODAL_FIELDS.prompt,
        style: TextInputStyle.Paragraph,
        max_length: PROMPT_MAX_LENGTH,
        required: true,
        placeholder: t('modal.prompt.placeholder'),
        ...(options.prompt ? { value: cut(options.prompt, PROMPT_MAX_LENGTH) } : {}),
      },
    },
  ];
  if (options.settings) {
    components.push(
      {
        type: ComponentType.Label,
        label: t('modal.duration.label'),
        component: {
          type: ComponentType.StringSelect,
          custom_id: MODAL_FIELDS.duration,
          options: DURATIONS.map((value) => ({ label: t('choice.seconds', { value }), value: String(value), default: value === 6 })),
        },
      },
      {
        type: ComponentType.Label,
        label: t('modal.resolution.label'),
        description: t('modal.resolution.description'),
        component: {
          type: ComponentType.StringSelect,
          custom_id: MODAL_FIELDS.resolution,
          options: RESOLUTIONS.map((value) => ({ label: value, value, default: value === '768p' })),
        },
      },
      {
        type: ComponentType.Label,
        label: t('modal.camera.label'),
        description: t('modal.camera.description'),
        component: {
          type: ComponentType.StringSelect,
          custom_id: MODAL_FIELDS.camera,
          required: false,
          min_values: 0,
          max_values: 3,
          options: CAMERA_MOVES.map((move) => ({ label: `${move.en} · ${move.zh}`, value: move.zh })),
        },
      },
    );
  }
  return { custom_id: options.customId, title: cut(t(options.title), 45), components };
}
