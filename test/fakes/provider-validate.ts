/** The fake provider's create-task validation: the rules of the seed API page, nothing more. */

const MODELS = new Set(['MiniMax-Hailuo-2.3', 'MiniMax-Hailuo-2.3-Fast']);
const MAX_PROMPT_CHARS = 2000;

/**
 * Checks a parsed `POST /v1/videos/generations` body.
 *
 * @returns an English explanation of the first problem (sent back in a 400), or `undefined`.
 */
export function validateSubmitBody(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || !MODELS.has(b.model)) {
    return 'model must be MiniMax-Hailuo-2.3 or MiniMax-Hailuo-2.3-Fast';
  }
  if (typeof b.prompt !== 'string' || b.prompt.length === 0) return 'prompt is required';
  // The provider counts characters, not UTF-16 units.
  if ([...b.prompt].length > MAX_PROMPT_CHARS) return `prompt must be at most ${MAX_PROMPT_CHARS} characters`;
  const duration = b.duration ?? 6;
  if (duration !== 6 && duration !== 10) return 'duration must be 6 or 10';
  const resolution = b.resolution ?? '768p';
  if (resolution !== '768p' && resolution !== '1080p') return 'resolution must be 768p or 1080p';
  if (resolution === '1080p' && duration !== 6) return '1080p supports only a 6 second duration';
  for (const flag of ['prompt_optimizer', 'fast_pretreatment', 'watermark']) {
    if (b[flag] !== undefined && typeof b[flag] !== 'boolean') return `${flag} must be a boolean`;
  }
  if (b.first_frame_image !== undefined && (typeof b.first_frame_image !== 'string' || b.first_frame_image === '')) {
    return 'first_frame_image must be a URL or a data URI';
  }
  if (b.model === 'MiniMax-Hailuo-2.3-Fast' && b.first_frame_image === undefined) {
    return 'MiniMax-Hailuo-2.3-Fast requires first_frame_image';
  }
  return undefined;
}
