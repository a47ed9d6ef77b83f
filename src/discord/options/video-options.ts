import { z } from 'zod';
import type { ChatInputCommandInteraction, CommandInteractionOption } from 'discord.js';
import type { FirstFrameImage, RawOptionValue, VideoOptionsInput } from '../../video/request.js';

// Only the shape is checked here, never the declared option type: discord.js' typed getters
// (getInteger, getBoolean…) throw on a forged type, which would end as "Something went wrong".
// Values and their types are judged by validateVideoOptions, so a forged "10" for duration or
// "yes" for watermark gets the same friendly answer as any wrong value.
const valueSchema = z.union([z.string(), z.number(), z.boolean()]).nullable().catch(null);
const attachmentSchema = z.object({
  url: z.string(),
  name: z.string(),
  contentType: z.string().nullable().catch(null),
  size: z.number(),
  width: z.number().nullable().catch(null),
  height: z.number().nullable().catch(null),
});

/** Reads the `/video` options from an interaction into plain values, whatever types they came with. */
export function readVideoOptions(interaction: ChatInputCommandInteraction): VideoOptionsInput {
  const byName = new Map<string, CommandInteractionOption>(interaction.options.data.map((option) => [option.name, option]));
  const value = (name: string): RawOptionValue => {
    const option = byName.get(name);
    return option ? valueSchema.parse(option.value ?? null) : null;
  };
  return {
    prompt: value('prompt') ?? '',
    duration: value('duration'),
    resolution: value('resolution'),
    model: value('model'),
    camera: value('camera'),
    image: readImage(byName.get('image')),
    promptOptimizer: value('prompt_optimizer'),
    fastPretreatment: value('fast_pretreatment'),
    watermark: value('watermark'),
  };
}

function readImage(option: CommandInteractionOption | undefined): FirstFrameImage | { forged: string } | null {
  if (!option) return null;
  const parsed = attachmentSchema.safeParse(option.attachment);
  if (!parsed.success) return { forged: String(option.value ?? '') };
  const image = parsed.data;
  return {
    url: image.url,
    filename: image.name,
    contentType: image.contentType,
    size: image.size,
    width: image.width,
    height: image.height,
  };
}
