import { z } from 'zod';
import type { ChatInputCommandInteraction } from 'discord.js';
import type { VideoOptionsInput } from '../../video/request.js';

// Types only: the values themselves (choices, lengths) are judged by validateVideoOptions so a
// forged value gets the same friendly answer as a mistaken one.
const attachmentSchema = z.object({
  url: z.string(),
  name: z.string(),
  contentType: z.string().nullable(),
  size: z.number(),
  width: z.number().nullable(),
  height: z.number().nullable(),
});

const optionsSchema = z.object({
  prompt: z.string().default(''),
  duration: z.number().nullable(),
  resolution: z.string().nullable(),
  model: z.string().nullable(),
  camera: z.string().nullable(),
  image: attachmentSchema.nullable(),
  prompt_optimizer: z.boolean().nullable(),
  fast_pretreatment: z.boolean().nullable(),
  watermark: z.boolean().nullable(),
});

/** Reads the `/video` options from an interaction into plain values. */
export function readVideoOptions(interaction: ChatInputCommandInteraction): VideoOptionsInput {
  const o = interaction.options;
  const image = o.getAttachment('image');
  const raw = optionsSchema.parse({
    prompt: o.getString('prompt') ?? '',
    duration: o.getInteger('duration'),
    resolution: o.getString('resolution'),
    model: o.getString('model'),
    camera: o.getString('camera'),
    image: image
      ? { url: image.url, name: image.name, contentType: image.contentType, size: image.size, width: image.width, height: image.height }
      : null,
    prompt_optimizer: o.getBoolean('prompt_optimizer'),
    fast_pretreatment: o.getBoolean('fast_pretreatment'),
    watermark: o.getBoolean('watermark'),
  });
  return {
    prompt: raw.prompt,
    duration: raw.duration,
    resolution: raw.resolution,
    model: raw.model,
    camera: raw.camera,
    image: raw.image
      ? { url: raw.image.url, filename: raw.image.name, contentType: raw.image.contentType, size: raw.image.size, width: raw.image.width, height: raw.image.height }
      : null,
    promptOptimizer: raw.prompt_optimizer,
    fastPretreatment: raw.fast_pretreatment,
    watermark: raw.watermark,
  };
}
