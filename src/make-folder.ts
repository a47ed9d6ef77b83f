import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

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
 *   link to nothing. A folder that exists already is fine.
 */
export async function makeFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir);
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return mustBeFolder(dir);
    if (code !== 'ENOENT' || dirname(dir) === dir) throw err;
  }
  // The parent is missing: make it, then this level, once (a second ENOENT is the answer).
  await makeFolder(dirname(dir));
  try {
    await mkdir(dir);
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
