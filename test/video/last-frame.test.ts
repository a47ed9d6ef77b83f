import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createLastFrameExtractor, ffmpegAvailable, jpegSize } from '../../src/video/last-frame.js';

const mp4 = (): Buffer =>
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'color=c=green:s=480x320:d=1',
    '-pix_fmt',
    'yuv420p',
    '-f',
    'mp4',
    '-movflags',
    'frag_keyframe+empty_moov',
    'pipe:1',
  ]);

describe('the last frame of a video (Extend)', () => {
  it('GIVEN a real MP4 THEN its last frame comes back as a JPEG data URI with its size, checked like any first frame', async () => {
    const extractor = createLastFrameExtractor({ ffmpegPath: 'ffmpeg', download: async () => ({ ok: true, data: mp4() }) });
    const frame = await extractor.extract('https://cdn.example/v.mp4');
    expect(frame.ok).toBe(true);
    if (!frame.ok) return;
    expect(frame.image).toMatchObject({ contentType: 'image/jpeg', width: 480, height: 320, filename: 'last-frame.jpg' });
    expect(frame.image.url.startsWith('data:image/jpeg;base64,/9j/')).toBe(true);
    expect(jpegSize(Buffer.from(frame.image.url.split(',')[1] ?? '', 'base64'))).toEqual({ width: 480, height: 320 });
  });

  it('GIVEN a file that is not a video, or one that cannot be fetched THEN it says so instead of throwing', async () => {
    const junk = createLastFrameExtractor({
      ffmpegPath: 'ffmpeg',
      download: async () => ({ ok: true, data: Buffer.from('not a video at all') }),
    });
    expect(await junk.extract('https://cdn.example/v.mp4')).toEqual({ ok: false, reason: 'unreadable' });
    const gone = createLastFrameExtractor({
      ffmpegPath: 'ffmpeg',
      download: async () => ({ ok: false, reason: 'http_error', status: 404 }),
    });
    expect(await gone.extract('https://cdn.example/v.mp4')).toEqual({ ok: false, reason: 'download_failed' });
  });

  it('knows whether ffmpeg runs', async () => {
    expect(await ffmpegAvailable('ffmpeg')).toBe(true);
    expect(await ffmpegAvailable('/nonexistent/ffmpeg')).toBe(false);
  });
});
