import { describe, expect, it } from 'vitest';
import { toGenerationRequest, validateVideoOptions, type FirstFrameImage, type VideoOptionsInput } from '../../src/video/request.js';

const image = (over: Partial<FirstFrameImage> = {}): FirstFrameImage => ({
  url: 'https://cdn.example/attachments/1/frame.png?ex=1',
  filename: 'frame.png',
  contentType: 'image/png',
  size: 500_000,
  width: 1280,
  height: 720,
  ...over,
});
const problemsOf = (input: VideoOptionsInput) => {
  const result = validateVideoOptions(input);
  return result.ok ? [] : result.problems.map((p) => p.code);
};

describe('a member asking for a video', () => {
  it('gets the documented defaults when they give only a prompt', () => {
    const result = validateVideoOptions({ prompt: '  a cat running on grass  ' });
    expect(result).toEqual({
      ok: true,
      request: {
        userPrompt: 'a cat running on grass',
        prompt: 'a cat running on grass',
        camera: [],
        model: 'MiniMax-Hailuo-2.3',
        duration: 6,
        resolution: '768p',
        image: null,
        promptOptimizer: true,
        fastPretreatment: false,
        watermark: false,
      },
    });
  });

  it('is told a blank prompt is empty, even one made only of zero-width or direction characters', () => {
    expect(problemsOf({ prompt: '   ' })).toEqual(['prompt_blank']);
    expect(problemsOf({ prompt: '\u200b\u200d\u2060\u202e' })).toEqual(['prompt_blank']);
  });

  it('is told when the prompt plus the camera command passes 2000 characters, and by how much', () => {
    expect(problemsOf({ prompt: 'a'.repeat(2000) })).toEqual([]);
    expect(problemsOf({ prompt: 'a'.repeat(1996), camera: 'Push in' })).toEqual([]);
    expect(validateVideoOptions({ prompt: 'a'.repeat(1997), camera: 'Push in' })).toEqual({
      ok: false,
      problems: [{ code: 'prompt_too_long', length: 2001, max: 2000 }],
    });
  });

  it('counts the prompt in characters as Discord does (code points): emoji and rare CJK characters count one each, not two', () => {
    // 2000 emoji pass Discord's max_length of 2000 and are 4000 UTF-16 units.
    expect(problemsOf({ prompt: '🦊'.repeat(2000) })).toEqual([]);
    expect(problemsOf({ prompt: '𠀀'.repeat(1000) + '雪'.repeat(1000) })).toEqual([]);
    expect(validateVideoOptions({ prompt: '🦊'.repeat(2001) })).toEqual({
      ok: false,
      problems: [{ code: 'prompt_too_long', length: 2001, max: 2000 }],
    });
    // With a camera command, whose Chinese name adds to the prompt sent.
    expect(validateVideoOptions({ prompt: '🦊'.repeat(1997), camera: 'Push in' })).toEqual({
      ok: false,
      problems: [{ code: 'prompt_too_long', length: 2001, max: 2000 }],
    });
  });

  it('cannot get a 10 second video in 1080p', () => {
    expect(problemsOf({ prompt: 'x', resolution: '1080p', duration: 10 })).toEqual(['resolution_duration']);
    expect(problemsOf({ prompt: 'x', resolution: '1080p', duration: 6 })).toEqual([]);
    expect(problemsOf({ prompt: 'x', resolution: '768p', duration: 10 })).toEqual([]);
  });

  it('needs a first frame for the Fast model', () => {
    expect(problemsOf({ prompt: 'x', model: 'MiniMax-Hailuo-2.3-Fast' })).toEqual(['fast_needs_image']);
    expect(problemsOf({ prompt: 'x', model: 'MiniMax-Hailuo-2.3-Fast', image: image() })).toEqual([]);
  });

  it('has forged option values outside the choices refused', () => {
    expect(problemsOf({ prompt: 'x', duration: 8 })).toEqual(['bad_choice']);
    expect(problemsOf({ prompt: 'x', resolution: '4k' })).toEqual(['bad_choice']);
    expect(problemsOf({ prompt: 'x', model: 'gpt-video' })).toEqual(['bad_choice']);
  });

  it('has a first frame judged from its type, size and dimensions without downloading it', () => {
    expect(problemsOf({ prompt: 'x', image: image({ contentType: 'image/gif' }) })).toEqual(['image_type']);
    expect(problemsOf({ prompt: 'x', image: image({ contentType: 'image/jpeg' }) })).toEqual([]);
    expect(problemsOf({ prompt: 'x', image: image({ contentType: 'image/webp' }) })).toEqual([]);
    expect(problemsOf({ prompt: 'x', image: image({ size: 20 * 1024 * 1024 }) })).toEqual(['image_too_big']);
    expect(problemsOf({ prompt: 'x', image: image({ width: 300, height: 600 }) })).toEqual(['image_too_small']);
    expect(problemsOf({ prompt: 'x', image: image({ width: 301, height: 602 }) })).toEqual([]);
    expect(problemsOf({ prompt: 'x', image: image({ width: 1000, height: 2501 }) })).toEqual(['image_ratio']);
    expect(problemsOf({ prompt: 'x', image: image({ width: 2500, height: 1000 }) })).toEqual([]);
    expect(problemsOf({ prompt: 'x', image: image({ width: null, height: null }) })).toEqual(['image_unknown_size']);
  });

  it('gets every problem at once so they can fix them in one go', () => {
    expect(problemsOf({ prompt: ' ', resolution: '1080p', duration: 10, camera: 'Barrel roll' })).toEqual([
      'resolution_duration',
      'camera_unknown',
      'prompt_blank',
    ]);
  });
});

describe('the prompt the provider receives', () => {
  it('starts with the camera bracket in Chinese, whatever language the move was chosen in', () => {
    const english = validateVideoOptions({ prompt: 'a cat in a garden', camera: 'Push in' });
    const chinese = validateVideoOptions({ prompt: 'a cat in a garden', camera: '推进' });
    expect(english.ok && english.request.prompt).toBe('[推进]a cat in a garden');
    expect(chinese.ok && chinese.request.prompt).toBe('[推进]a cat in a garden');
  });

  it('is shown to members with a space after the bracket before an English prompt, while the provider gets the documented form', async () => {
    const { shownPrompt } = await import('../../src/video/request.js');
    const english = validateVideoOptions({ prompt: 'a red fox', camera: 'Push in' });
    const chinese = validateVideoOptions({ prompt: '一只红狐狸', camera: 'Push in' });
    const typed = validateVideoOptions({ prompt: '[左摇]a red fox' });
    expect(english.ok && [english.request.prompt, shownPrompt(english.request)]).toEqual(['[推进]a red fox', '[推进] a red fox']);
    expect(chinese.ok && shownPrompt(chinese.request)).toBe('[推进]一只红狐狸');
    expect(typed.ok && shownPrompt(typed.request)).toBe('[左摇]a red fox');
  });

  it('combines up to three moves in one bracket and refuses a fourth', () => {
    const combined = validateVideoOptions({ prompt: 'city', camera: 'Pan left, 上升,zoom IN' });
    expect(combined.ok && combined.request.prompt).toBe('[左摇,上升,变焦推近]city');
    expect(problemsOf({ prompt: 'city', camera: 'Pan left, Pan right, Push in, Pull out' })).toEqual(['camera_too_many']);
  });

  it('sends a move named several ways once, and only refuses more than three different moves', () => {
    const repeated = validateVideoOptions({ prompt: 'city', camera: 'Push in, push in, 推进, Push in' });
    expect(repeated.ok && [repeated.request.prompt, repeated.request.camera]).toEqual(['[推进]city', ['推进']]);
    const mixed = validateVideoOptions({ prompt: 'city', camera: 'Pan left, 上升, pan LEFT, 左摇, Zoom in' });
    expect(mixed.ok && mixed.request.prompt).toBe('[左摇,上升,变焦推近]city');
  });

  it('keeps bracket commands typed in the prompt as typed', () => {
    const result = validateVideoOptions({ prompt: 'a cat [左摇] then [固定] rests', camera: 'Shake' });
    expect(result.ok && result.request.prompt).toBe('[晃动]a cat [左摇] then [固定] rests');
  });

  it('becomes the seed body, with first_frame_image only when an image was attached', () => {
    const plain = validateVideoOptions({ prompt: 'waves', duration: 10 });
    const framed = validateVideoOptions({ prompt: 'waves', image: image() });
    if (!plain.ok || !framed.ok) throw new Error('expected valid requests');
    expect(toGenerationRequest(plain.request)).toEqual({
      model: 'MiniMax-Hailuo-2.3',
      prompt: 'waves',
      duration: 10,
      resolution: '768p',
      promptOptimizer: true,
      fastPretreatment: false,
      watermark: false,
    });
    expect(toGenerationRequest(framed.request).firstFrameImage).toBe(image().url);
  });
});
