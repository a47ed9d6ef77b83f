import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { DownloadResult } from '../http/download.js';
import type { FirstFrameImage } from './request.js';

/** Why no last frame could be taken: the video could not be fetched, or ffmpeg could not read it. */
export type LastFrameResult = { ok: true; image: FirstFrameImage } | { ok: false; reason: 'download_failed' | 'unreadable' | 'busy' };

export interface LastFrameExtractor {
  /** Downloads the video at `url` and returns its last frame as a JPEG `data:` URI first frame. */
  extract(url: string): Promise<LastFrameResult>;
}

export interface LastFrameOptions {
  /** The ffmpeg binary (FFMPEG_PATH). */
  ffmpegPath: string;
  /** Fetches the video (capped, with a deadline). */
  download: (url: string) => Promise<DownloadResult>;
  /** Longest ffmpeg run, ms (default 20 s). */
  timeoutMs?: number;
  /** Frames taken at once by this process (default 2: each is a video download and an ffmpeg run). */
  maxConcurrent?: number;
  /** Requests that may wait for a turn beyond those (default 8); past it the answer is `busy`. */
  maxWaiting?: number;
}

const run = (file: string, args: string[], timeoutMs: number) =>
  new Promise<void>((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 1024 * 1024 }, (err: Error | null) => (err ? reject(err) : resolve()));
  });

/**
 * True when `ffmpegPath` runs. Checked once at start: without ffmpeg the Extend button is not
 * offered (README: install ffmpeg, or set FFMPEG_PATH).
 */
export async function ffmpegAvailable(ffmpegPath: string): Promise<boolean> {
  try {
    await run(ffmpegPath, ['-hide_banner', '-version'], 5_000);
    return true;
  } catch {
    return false;
  }
}

/** Width and height from a JPEG's start-of-frame marker (SOF0–SOF15 except DHT/JPG/DAC), or null. */
export function jpegSize(data: Buffer): { width: number; height: number } | null {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) return null;
  let offset = 2;
  while (offset + 9 < data.length) {
    if (data[offset] !== 0xff) return null;
    const marker = data[offset + 1] ?? 0;
    const length = data.readUInt16BE(offset + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7) };
    }
    offset += 2 + length;
  }
  return null;
}

/**
 * The last frame of a video, for Extend: the video is fetched into a temporary directory, ffmpeg
 * decodes its last second and keeps the final frame as a JPEG, which is handed on as a base64
 * `data:` URI (the provider takes those), so the new job depends on no link staying valid.
 */
export function createLastFrameExtractor(options: LastFrameOptions): LastFrameExtractor {
  const timeoutMs = options.timeoutMs ?? 20_000;
  // A burst of Extend presses must not download and decode a dozen videos at once on a small
  // machine: a few at a time (p-limit), a short line behind them, and "busy" past that.
  const maxConcurrent = options.maxConcurrent ?? 2;
  const turns = pLimit(maxConcurrent);
  const room = maxConcurrent + (options.maxWaiting ?? 8);
  return {
    extract(url) {
      // Running plus waiting (p-limit starts a task a microtask later, so count both).
      if (turns.activeCount + turns.pendingCount >= room) return Promise.resolve({ ok: false, reason: 'busy' });
      return turns(() => takeLastFrame(url));
    },
  };

  async function takeLastFrame(url: string): Promise<LastFrameResult> {
    const fetched = await options.download(url);
    if (!fetched.ok) return { ok: false, reason: 'download_failed' };
    const dir = await mkdtemp(join(tmpdir(), 'hvb-frame-'));
    try {
      const input = join(dir, 'video.mp4');
      const output = join(dir, 'last.jpg');
      await writeFile(input, fetched.data);
      // -sseof -1: decode only the last second; -update 1 keeps overwriting one image, so the
      // file ends as the very last frame.
      await run(
        options.ffmpegPath,
        ['-hide_banner', '-loglevel', 'error', '-sseof', '-1', '-i', input, '-update', '1', '-q:v', '3', '-y', output],
        timeoutMs,
      );
      const jpeg = await readFile(output);
      const size = jpegSize(jpeg);
      if (!size) return { ok: false, reason: 'unreadable' };
      return {
        ok: true,
        image: {
          url: `data:image/jpeg;base64,${jpeg.toString('base64')}`,
          filename: 'last-frame.jpg',
          contentType: 'image/jpeg',
          size: jpeg.length,
          width: size.width,
          height: size.height,
        },
      };
    } catch {
      return { ok: false, reason: 'unreadable' };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
