import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFolder } from '../../src/make-folder.js';

/**
 * The folders the bot makes for its store and its videos: every missing level is made, an existing
 * one is fine, and a folder that cannot be made fails at once with the file system's code, also
 * where Node's own recursive mkdir would spin forever (under /proc).
 */
describe('makeFolder', () => {
  const root = mkdtempSync(join(tmpdir(), 'hvb-make-folder-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('GIVEN three missing levels THEN it makes them all', async () => {
    const dir = join(root, 'a', 'b', 'c');
    await makeFolder(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  it('GIVEN a folder that exists THEN it leaves it as it is', async () => {
    const dir = join(root, 'kept');
    await makeFolder(dir);
    writeFileSync(join(dir, 'inside'), 'x');
    await makeFolder(dir);
    expect(existsSync(join(dir, 'inside'))).toBe(true);
  });

  it('GIVEN a file where a folder should be THEN it fails with ENOTDIR', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    await expect(makeFolder(join(file, 'data', 'videos'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('GIVEN a file where the folder itself should be THEN it fails with ENOTDIR instead of taking the file for the folder', async () => {
    const file = join(root, 'not-a-folder');
    writeFileSync(file, 'x');
    await expect(makeFolder(file)).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('GIVEN a link to a folder THEN it is fine; GIVEN a link to nothing THEN it fails with ENOENT', async () => {
    const target = join(root, 'target');
    await makeFolder(target);
    symlinkSync(target, join(root, 'link'));
    await expect(makeFolder(join(root, 'link'))).resolves.toBeUndefined();
    symlinkSync(join(root, 'gone'), join(root, 'dangling'));
    await expect(makeFolder(join(root, 'dangling'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.runIf(existsSync('/proc/self'))('GIVEN a folder under /proc THEN it fails with ENOENT instead of retrying forever', async () => {
    const started = Date.now();
    await expect(makeFolder('/proc/hvb-no-such-folder/data')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
