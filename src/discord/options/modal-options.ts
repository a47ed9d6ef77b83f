import { z } from 'zod';
import type { ModalSubmitInteraction } from 'discord.js';
import { MODAL_FIELDS } from '../render/video-modal.js';

/** What a video form held, as plain values; the values themselves are judged by validateVideoOptions. */
export interface ModalVideoFields {
  prompt: string;
  duration: number | null;
  resolution: string | null;
  /** Chosen camera moves joined with commas, as the `/video` camera option takes them. */
  camera: string | null;
}

const fieldsSchema = z.object({
  prompt: z.string(),
  duration: z.array(z.string()).max(1),
  resolution: z.array(z.string()).max(1),
  camera: z.array(z.string()).max(25),
});

/** A field the form did not have (Edit's form has only the prompt) reads as not chosen. */
function optional<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/** Reads a submitted video form defensively: a forged or missing field becomes a value the checks refuse. */
export function readModalFields(interaction: ModalSubmitInteraction): ModalVideoFields {
  const f = interaction.fields;
  const raw = fieldsSchema.parse({
    prompt: optional(() => f.getTextInputValue(MODAL_FIELDS.prompt), ''),
    duration: [...optional(() => f.getStringSelectValues(MODAL_FIELDS.duration), [] as readonly string[])],
    resolution: [...optional(() => f.getStringSelectValues(MODAL_FIELDS.resolution), [] as readonly string[])],
    camera: [...optional(() => f.getStringSelectValues(MODAL_FIELDS.camera), [] as readonly string[])],
  });
  const duration = raw.duration[0];
  return {
    prompt: raw.prompt,
    // A value that is not a number stays visible to the checks as NaN, which no choice matches.
    duration: duration === undefined ? null : /^\d+$/.test(duration) ? Number(duration) : Number.NaN,
    resolution: raw.resolution[0] ?? null,
    camera: raw.camera.length > 0 ? raw.camera.join(',') : null,
  };
}
