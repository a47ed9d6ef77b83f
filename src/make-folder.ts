import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Permissions of VIDEO_TMP_DIR when the bot makes it (at start-up or again later): its own user only. */
export const VIDEO_FOLDER_MODE = 0o700;

/**
 * Creates `dir` and the folders above it that are missing, one level at a time.
 *
 * Why not `mkdir(dir, { recursive: true })`: under a pseudo file system such as `/proc`, where
 * creating a folder fails with ENOENT although its parent exists, Node's recursive mkdir retries
 * forever (a libuv thread spinning at full CPU, the promise never settling), so a STORE_URL like
 * `sqlite:///proc/nope/bot.sqlite` hung the start-up instead of stopping within 15 s (and a video
 * folder there would hang every download).
 *
 * @throws the file system's error (ENOENT, EACCES, ENOTDIR, EROFS…) for the first level that
 *   cannot be created; ENOTDIR too when `dir` exists and is not a folder, ENOENT when it is a
 *   link to nothing. A folder that exists already is fine (its mode is left as it is).
 * @param mode permissions of `dir` itself when it is made (default 0o777, less the umask); the
 *   folders above it get the default.
 */
export async function makeFolder(dir: string, mode?: number): Promise<void> {
  try {
    await mkdir(dir, mode === undefined ? undefined : { mode });
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return mustBeFolder(dir);
    if (code !== 'ENOENT' || dirname(dir) === dir) throw err;
  }
  // The parent is missing: make it, then this level, once (a second ENOENT is the answer).
  await makeFolder(dirname(dir));
  try {
    await mkdir(dir, mode === undefined ? undefined : { mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    await mustBeFolder(dir);
  }
}

/** Something is at `dir` already: it must be a folder (or a link to one). */
async function mustBeFolder(dir: string): Promise<void> {
  // stat follows links: a dangling one throws ENOENT, as the folder it names is missing.
  if (!(await stat(dir)).isDirectory()) {
    throw Object.assign(new Error(`ENOTDIR: not a folder, mkdir '${dir}'`), { code: 'ENOTDIR', path: dir });
  }
}
