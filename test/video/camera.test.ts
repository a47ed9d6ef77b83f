import { describe, expect, it } from 'vitest';
import { CAMERA_MOVES, findCameraMove, suggestCameraMoves } from '../../src/video/camera.js';

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
    expect(suggestCameraMoves('Pan left, Pan right, Push in, ')).toEqual([]);
  });

  it('labels suggestions in both languages within Discord limits', () => {
    for (const choice of suggestCameraMoves('')) {
      expect(choice.name.length).toBeLessThanOrEqual(100);
      expect(choice.value.length).toBeLessThanOrEqual(100);
    }
    expect(suggestCameraMoves('跟随')[0]?.name).toBe('Tracking shot 跟随');
  });
});
