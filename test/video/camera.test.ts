import { describe, expect, it } from 'vitest';
import { CAMERA_MOVES, findCameraMove, parseCameraOption, splitCameraCommand, suggestCameraMoves } from '../../src/video/camera.js';

describe('camera moves', () => {
  it('knows all 15 moves by their English and Chinese names', () => {
    expect(CAMERA_MOVES).toHaveLength(15);
    for (const move of CAMERA_MOVES) {
      expect(findCameraMove(move.en)).toBe(move);
      expect(findCameraMove(move.zh)).toBe(move);
      expect(findCameraMove(`[${move.zh}]`)).toBe(move);
      expect(findCameraMove(move.en.toUpperCase())).toBe(move);
    }
  });

  it('suggests moves for English, Chinese and mixed input', () => {
    expect(suggestCameraMoves('zoom').map((c) => c.value)).toEqual(['Zoom in', 'Zoom out']);
    expect(suggestCameraMoves('变焦').map((c) => c.value)).toEqual(['Zoom in', 'Zoom out']);
    expect(suggestCameraMoves('推进, pedestal').map((c) => c.value)).toEqual(['Push in, Pedestal up', 'Push in, Pedestal down']);
    expect(suggestCameraMoves('')).toHaveLength(15);
    // Empty parts name nothing: after "Push in,,," the member can still pick a second move.
    expect(suggestCameraMoves('Push in,,, ped').map((c) => c.value)).toEqual(['Push in, Pedestal up', 'Push in, Pedestal down']);
    expect(parseCameraOption('Push in,,, Pedestal up')).toMatchObject({ ok: true });
    expect(suggestCameraMoves('Pan left, Pan right, Push in, ')).toEqual([]);
  });

  it('counts a move written several ways (any case, English or Chinese) once, in the order moves first appear', () => {
    const zh = (value: string) => {
      const parsed = parseCameraOption(value);
      return parsed.ok ? parsed.moves.map((move) => move.zh) : parsed;
    };
    expect(zh('Push in, push in, 推进, Push in')).toEqual(['推进']);
    expect(zh('PUSH IN，推进、push_in+Push-in')).toEqual(['推进']);
    expect(zh('上升, Pan left, pedestal up, 左摇, Zoom in, ZOOM IN')).toEqual(['上升', '左摇', '变焦推近']);
    expect(zh('[Push in, 推进]')).toEqual(['推进']);
    // Four different moves are still too many, counted without their repeats.
    expect(zh('Pan left, pan left, Pan right, Push in, 推进, Pull out')).toEqual({ ok: false, reason: 'too_many_moves', count: 4 });
    expect(zh('Push in, push in, Barrel roll')).toEqual({ ok: false, reason: 'unknown_move', name: 'Barrel roll' });
  });

  it('keeps suggesting while a move typed twice leaves room for another', () => {
    expect(suggestCameraMoves('Push in, 推进, zoom').map((c) => c.value)).toEqual(['Push in, Zoom in', 'Push in, Zoom out']);
    expect(suggestCameraMoves('Pan left, Pan right, Push in, 推进, ')).toEqual([]);
  });

  it('labels suggestions in both languages within Discord limits', () => {
    for (const choice of suggestCameraMoves('')) {
      expect(choice.name.length).toBeLessThanOrEqual(100);
      expect(choice.value.length).toBeLessThanOrEqual(100);
    }
    expect(suggestCameraMoves('跟随')[0]?.name).toBe('Tracking shot 跟随');
  });

  it('reads a prompt as the provider got it back into its camera command and the words, in both spellings', () => {
    expect(splitCameraCommand('[推进]a fox in the snow')).toEqual({ camera: '推进', words: 'a fox in the snow' });
    expect(splitCameraCommand(' [左摇,上升] a fox\nat night')).toEqual({ camera: '左摇,上升', words: 'a fox\nat night' });
    expect(splitCameraCommand('[Push in, Pedestal up]雪中的狐狸')).toEqual({ camera: 'Push in, Pedestal up', words: '雪中的狐狸' });
    // Brackets that are not known moves (or too many of them) are the member's words.
    expect(splitCameraCommand('[note] a fox')).toEqual({ camera: null, words: '[note] a fox' });
    expect(splitCameraCommand('[推进,拉远,左摇,右摇]a fox')).toEqual({ camera: null, words: '[推进,拉远,左摇,右摇]a fox' });
    expect(splitCameraCommand('a fox [推进]')).toEqual({ camera: null, words: 'a fox [推进]' });
    expect(splitCameraCommand('[]a fox')).toEqual({ camera: null, words: '[]a fox' });
    // A command alone stays the whole prompt, as /video accepts it with a first frame.
    expect(splitCameraCommand('[推进]')).toEqual({ camera: null, words: '[推进]' });
    expect(splitCameraCommand('[拉远]  ')).toEqual({ camera: null, words: '[拉远]  ' });
    expect(splitCameraCommand('[推进]\u200B')).toEqual({ camera: null, words: '[推进]\u200B' });
  });
});
