/**
 * Finished videos on disk, one file per job: fetched from the provider once, checked, delivered
 * from the file on every try, deleted when the job ends. A file named `<jobId>.mp4` is always a
 * checked, complete one; a download in progress is `<jobId>.mp4.part` until it passed the checks.
 */
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import type { FileDownloadResult } from '../http/download-file.js';
import { makeFolder, VIDEO_FOLDER_MODE } from '../make-folder.js';
import { checkMp4File, type Mp4Check } from './mp4-boxes.js';

/**
 * The job's video: on disk (`path`, `size` bytes, checked), `too_large` for the download cap (the
 * provider served it, so its link works), or `failed` (`linkMayWork`: the provider may still serve
 * it later, e.g. after a cut-off body or a 5xx; not after 404/410 or another refusal).
 */
export type FetchedVideo =
  | { ok: true; path: string; size: number }
  | { ok: false; reason: 'too_large' }
  | { ok: false; reason: 'failed'; linkMayWork: boolean; detail: string };

/** What the store says of a job whose file is found at start. */
export type FileOwner = 'live' | 'final' | 'unknown';

export interface VideoFiles {
  /** The job's checked file, downloading it unless an earlier try already did. */
  fetch(jobId: string, url: string): Promise<FetchedVideo>;
  /** Deletes the job's file (and a partial download); never throws. */
  discard(jobId: string): Promise<void>;
  /**
   * Deletes files left by ended jobs (a crash between the ending and the delete); files of jobs
   * the store does not know are deleted only once `unknownAfterMs` old, as another bot sharing the
   * folder may own them. Returns how many were deleted.
   */
  sweep(owner: (jobId: string) => Promise<FileOwner>): Promise<number>;
}

export interface VideoFilesOptions {
  dir: string;
  download: (url: string, path: string) => Promise<FileDownloadResult>;
  logger: Logger;
  clock?: () => number;
  /** Default 24 h: provider links last at most that long, so such a file can serve nobody. */
  unknownAfterMs?: number;
  check?: (path: string) => Promise<Mp4Check>;
}

const SUFFIX = '.mp4';
const PART = '.mp4.part';
// Job ids are short base-36 strings; anything else in the folder is not ours to touch.
const JOB_FILE = /^(j[0-9a-z]+)\.mp4(\.part)?$/;

/** Statuses after which the provider's link will not work later either (besides 408/429 and 5xx). */
const linkMayWorkAfter = (status: number): boolean => status === 408 || status === 429 || status >= 500;

export function createVideoFiles(options: VideoFilesOptions): VideoFiles {
  const clock = options.clock ?? Date.now;
  const check = options.check ?? checkMp4File;
  const unknownAfterMs = options.unknownAfterMs ?? 24 * 60 * 60_000;
  const fileOf = (jobId: string) => join(options.dir, `${jobId}${SUFFIX}`);
  const partOf = (jobId: string) => join(options.dir, `${jobId}${PART}`);
  // Two tries of one job never download at once in this process.
  const inFlight = new Map<string, Promise<FetchedVideo>>();

  async function download(jobId: string, url: string): Promise<FetchedVideo> {
    const done = fileOf(jobId);
    const kept = await stat(done).catch(() => undefined);
    if (kept?.isFile()) return { ok: true, path: done, size: kept.size };
    // Made again if something removed it (a cleaner of /tmp), private as at start-up.
    await makeFolder(options.dir, VIDEO_FOLDER_MODE);
    const part = partOf(jobId);
    const fetched = await options
      .download(url, part)
      .catch((err: unknown) => ({ ok: false as const, reason: 'network' as const, message: String(err) }));
    if (!fetched.ok) {
      await rm(part, { force: true }).catch(() => undefined);
      switch (fetched.reason) {
        case 'too_large':
          return { ok: false, reason: 'too_large' };
        case 'http_error':
          return { ok: false, reason: 'failed', linkMayWork: linkMayWorkAfter(fetched.status), detail: `HTTP ${fetched.status}` };
        case 'short':
          return {
            ok: false,
            reason: 'failed',
            linkMayWork: true,
            detail: `body ended at ${fetched.received} of ${fetched.declared} bytes`,
          };
        default:
          return { ok: false, reason: 'failed', linkMayWork: true, detail: `${fetched.reason}: ${fetched.message}` };
      }
    }
    const checked = await check(part).catch(() => ({ ok: false as const, reason: 'not_mp4' as const }));
    if (!checked.ok) {
      await rm(part, { force: true }).catch(() => undefined);
      // A cut-off file may be whole on the next try; something that is no MP4 at all will not be.
      return {
        ok: false,
        reason: 'failed',
        linkMayWork: checked.reason !== 'not_mp4',
        detail: `${checked.reason} (${fetched.size} bytes)`,
      };
    }
    await rename(part, done);
    return { ok: true, path: done, size: fetched.size };
  }

  return {
    fetch(jobId, url) {
      const running = inFlight.get(jobId);
      if (running) return running;
      const started = download(jobId, url).finally(() => inFlight.delete(jobId));
      inFlight.set(jobId, started);
      return started;
    },

    async discard(jobId) {
      await Promise.all([rm(fileOf(jobId), { force: true }), rm(partOf(jobId), { force: true })]).catch((err: unknown) =>
        options.logger.warn({ err, jobId }, 'could not delete a finished video file'),
      );
    },

    async sweep(owner) {
      const names = await readdir(options.dir).catch(() => [] as string[]);
      let deleted = 0;
      for (const name of names) {
        const jobId = JOB_FILE.exec(name)?.[1];
        if (!jobId || inFlight.has(jobId)) continue;
        const path = join(options.dir, name);
        const state = await owner(jobId).catch(() => 'live' as const);
        if (state === 'live') continue;
        if (state === 'unknown') {
          const info = await stat(path).catch(() => undefined);
          if (!info || clock() - info.mtimeMs < unknownAfterMs) continue;
        }
        await rm(path, { force: true }).catch(() => undefined);
        deleted += 1;
      }
      if (deleted > 0) options.logger.info({ deleted, dir: options.dir }, 'deleted video files left by ended jobs');
      return deleted;
    },
  };
}
