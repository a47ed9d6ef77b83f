import type { GenerationRequest, VideoDuration, VideoModel, VideoResolution } from '../provider/types.js';
import { cameraCommand, parseCameraOption } from './camera.js';
import { codePointLength, cutCodePoints } from '../text/code-points.js';
import { isBlank } from '../text/blank.js';
import { mediaTypeOf } from '../http/media-type.js';

export const MODELS = ['MiniMax-Hailuo-2.3', 'MiniMax-Hailuo-2.3-Fast'] as const satisfies readonly VideoModel[];
export const RESOLUTIONS = ['768p', '1080p'] as const satisfies readonly VideoResolution[];
export const DURATIONS = [6, 10] as const satisfies readonly VideoDuration[];
export const PROMPT_MAX_LENGTH = 2000;
export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export const IMAGE_MAX_BYTES = 20 * 1024 * 1024;
export const IMAGE_MIN_SHORT_SIDE = 300;
export const IMAGE_MIN_RATIO = 2 / 5;
export const IMAGE_MAX_RATIO = 5 / 2;

/** What Discord tells about an attached first frame, enough to judge it without downloading. */
export interface FirstFrameImage {
  url: string;
  filename: string;
  contentType: string | null;
  size: number;
  width: number | null;
  height: number | null;
}

/** An option value as a (possibly forged) interaction can carry it, whatever its declared type. */
export type RawOptionValue = string | number | boolean | null;

/**
 * The `/video` options exactly as they arrived, forged values and forged types included: a
 * `duration` sent as the string "10" or a `watermark` sent as "yes" reaches the checks below and
 * gets the same answer as any other wrong value.
 */
export interface VideoOptionsInput {
  prompt: RawOptionValue;
  duration?: RawOptionValue;
  resolution?: RawOptionValue;
  model?: RawOptionValue;
  camera?: RawOptionValue;
  /** A first frame, or `{ forged }` when the option held something that is not an attachment. */
  image?: FirstFrameImage | { forged: string } | null;
  promptOptimizer?: RawOptionValue;
  fastPretreatment?: RawOptionValue;
  watermark?: RawOptionValue;
}

/** The `/video` options by the names Discord registers, in the order it lists them (`prompt` is the one required). */
export const VIDEO_OPTION_NAMES = [
  'prompt',
  'duration',
  'resolution',
  'image',
  'camera',
  'model',
  'prompt_optimizer',
  'fast_pretreatment',
  'watermark',
] as const;

/** Options a member picks from a list (or true/false): a wrong value or type is a `bad_choice`. */
export type ChoiceOption = (typeof VIDEO_OPTION_NAMES)[number];

/** A request that passed every check; what the job records and the provider receives. */
export interface VideoRequest {
  /** The prompt as the member typed it. */
  userPrompt: string;
  /** The prompt sent to the provider: the camera bracket first, then the member's words. */
  prompt: string;
  /** Chinese names of the camera moves chosen through the `camera` option. */
  camera: string[];
  model: VideoModel;
  duration: VideoDuration;
  resolution: VideoResolution;
  image: FirstFrameImage | null;
  promptOptimizer: boolean;
  fastPretreatment: boolean;
  watermark: boolean;
}

export type ValidationProblem =
  | { code: 'prompt_blank' }
  | { code: 'prompt_too_long'; length: number; max: number }
  | { code: 'bad_choice'; option: ChoiceOption; value: string }
  | { code: 'resolution_duration' }
  | { code: 'fast_needs_image' }
  | { code: 'image_type'; contentType: string }
  | { code: 'image_too_big'; sizeMb: string }
  | { code: 'image_unknown_size' }
  | { code: 'image_mismatch'; contentType: string }
  | { code: 'image_too_small'; width: number; height: number }
  | { code: 'image_ratio'; width: number; height: number }
  | { code: 'camera_unknown'; name: string }
  | { code: 'camera_too_many'; count: number };

export type ValidationResult = { ok: true; request: VideoRequest } | { ok: false; problems: ValidationProblem[] };

const isOneOf = <T extends string | number>(list: readonly T[], value: unknown): value is T => (list as readonly unknown[]).includes(value);

/**
 * Checks a `/video` request before anything is spent, from the interaction alone. Every
 * problem is returned at once so the member can fix them in one go.
 */
export function validateVideoOptions(input: VideoOptionsInput): ValidationResult {
  const problems: ValidationProblem[] = [];
  const duration = input.duration ?? 6;
  const resolution = input.resolution ?? '768p';
  const model = input.model ?? 'MiniMax-Hailuo-2.3';
  if (!isOneOf(DURATIONS, duration)) problems.push({ code: 'bad_choice', option: 'duration', value: String(duration) });
  if (!isOneOf(RESOLUTIONS, resolution)) problems.push({ code: 'bad_choice', option: 'resolution', value: String(resolution) });
  if (!isOneOf(MODELS, model)) problems.push({ code: 'bad_choice', option: 'model', value: String(model) });
  if (resolution === '1080p' && duration !== 6) problems.push({ code: 'resolution_duration' });
  const image = input.image && !('forged' in input.image) ? input.image : null;
  if (input.image && 'forged' in input.image) problems.push({ code: 'bad_choice', option: 'image', value: input.image.forged });
  else if (model === 'MiniMax-Hailuo-2.3-Fast' && !image) problems.push({ code: 'fast_needs_image' });
  if (image) problems.push(...checkFirstFrame(image));
  const flag = (option: ChoiceOption, value: RawOptionValue | undefined, fallback: boolean): boolean => {
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'boolean') return value;
    problems.push({ code: 'bad_choice', option, value: String(value) });
    return fallback;
  };
  const promptOptimizer = flag('prompt_optimizer', input.promptOptimizer, true);
  const fastPretreatment = flag('fast_pretreatment', input.fastPretreatment, false);
  const watermark = flag('watermark', input.watermark, false);

  let camera: string[] = [];
  const cameraInput = input.camera === null || input.camera === undefined ? '' : String(input.camera);
  if (cameraInput.trim() !== '') {
    const parsed = parseCameraOption(cameraInput);
    if (parsed.ok) camera = parsed.moves.map((move) => move.zh);
    else if (parsed.reason === 'unknown_move') problems.push({ code: 'camera_unknown', name: cutCodePoints(parsed.name, 50) });
    else problems.push({ code: 'camera_too_many', count: parsed.count });
  }

  if (typeof input.prompt !== 'string' && input.prompt !== null) {
    problems.push({ code: 'bad_choice', option: 'prompt', value: String(input.prompt) });
    return { ok: false, problems };
  }
  const userPrompt = (input.prompt ?? '').trim();
  const prompt = buildPrompt(userPrompt, camera);
  if (isBlank(userPrompt)) problems.push({ code: 'prompt_blank' });
  else {
    // Characters as Discord counts them for the option's max_length and the provider for its 2000
    // (the seed: 最多 2000 字符): code points, so an emoji counts one, not two UTF-16 units.
    const length = codePointLength(prompt);
    if (length > PROMPT_MAX_LENGTH) problems.push({ code: 'prompt_too_long', length, max: PROMPT_MAX_LENGTH });
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    request: {
      userPrompt,
      prompt,
      camera,
      model: model as VideoModel,
      duration: duration as VideoDuration,
      resolution: resolution as VideoResolution,
      image,
      promptOptimizer,
      fastPretreatment,
      watermark,
    },
  };
}

/** The first-frame rules (type, size, short side, aspect ratio), judged from what Discord tells. */
export function checkFirstFrame(image: FirstFrameImage): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const type = mediaTypeOf(image.contentType);
  if (!isOneOf(IMAGE_TYPES, type)) problems.push({ code: 'image_type', contentType: type || 'unknown' });
  if (image.size >= IMAGE_MAX_BYTES) problems.push({ code: 'image_too_big', sizeMb: (image.size / 1024 / 1024).toFixed(1) });
  const { width, height } = image;
  if (!width || !height) {
    if (isOneOf(IMAGE_TYPES, type)) problems.push({ code: 'image_unknown_size' });
    return problems;
  }
  if (Math.min(width, height) <= IMAGE_MIN_SHORT_SIDE) problems.push({ code: 'image_too_small', width, height });
  const ratio = width / height;
  if (ratio < IMAGE_MIN_RATIO || ratio > IMAGE_MAX_RATIO) problems.push({ code: 'image_ratio', width, height });
  return problems;
}

/**
 * The prompt the provider receives: the `camera` option's bracket command first; bracket
 * commands the member typed stay where they are.
 */
export function buildPrompt(userPrompt: string, camera: readonly string[]): string {
  return `${cameraCommand(camera)}${userPrompt}`;
}

/**
 * The prompt as members see it in the bot's replies: {@link buildPrompt}'s, with a space between
 * the camera option's bracket and a prompt that starts with a Latin letter or digit, so it reads
 * `[推进] a red fox` rather than `[推进]a red fox`. Only the display changes: the provider keeps
 * receiving the form its documentation shows (`[推进]一只猫咪…`, no space; the seed has no example
 * of a space after a bracket, so whether it would change the result is not known).
 */
export function shownPrompt(request: Pick<VideoRequest, 'prompt' | 'userPrompt' | 'camera'>): string {
  const bracket = cameraCommand(request.camera);
  if (bracket === '' || request.prompt !== `${bracket}${request.userPrompt}`) return request.prompt;
  return /^[\p{Script=Latin}\p{N}]/u.test(request.userPrompt) ? `${bracket} ${request.userPrompt}` : request.prompt;
}

/** The body the provider client sends for a validated request. */
export function toGenerationRequest(request: VideoRequest): GenerationRequest {
  return {
    model: request.model,
    prompt: request.prompt,
    duration: request.duration,
    resolution: request.resolution,
    ...(request.image ? { firstFrameImage: request.image.url } : {}),
    promptOptimizer: request.promptOptimizer,
    fastPretreatment: request.fastPretreatment,
    watermark: request.watermark,
  };
}
