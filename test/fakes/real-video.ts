import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real MP4 for the fake provider to serve, one that ffmpeg can decode (Extend takes its last
 * frame; the default fake video is only a valid box structure): one second of `first`, then one
 * second of `last` (default red then blue, so its last frame is blue), 640x360. Needs ffmpeg
 * (`ffmpegPath`, default `ffmpeg` on the PATH); throws when it does not run.
 */
export function twoColourVideo(first = 'red', last = 'blue', ffmpegPath = 'ffmpeg'): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'hvb-video-'));
  try {
    const out = join(dir, 'video.mp4');
    execFileSync(ffmpegPath, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      `color=c=${first}:s=640x360:d=1`,
      '-f',
      'lavfi',
      '-i',
      `color=c=${last}:s=640x360:d=1`,
      '-filter_complex',
      '[0:v][1:v]concat=n=2:v=1[v]',
      '-map',
      '[v]',
      '-pix_fmt',
      'yuv420p',
      '-movflags',
      '+faststart',
      '-y',
      out,
    ]);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
