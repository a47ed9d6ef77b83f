import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadToFile } from '../../src/http/download-file.js';
import { silentLogger } from '../../src/log.js';
import { createVideoFiles, type VideoFiles } from '../../src/video/video-files.js';
import { startFakeProvider, type FakeProvider } from '../fakes/provider.js';
import { mp4Bytes } from '../fakes/provider-data.js';

const TASK = 'task_VIDEOFILES';
const VIDEO = mp4Bytes(150 * 1024);

describe('a finished video is fetched once into a file and checked before anyone sees it', () => {
  let provider: FakeProvider;
  let dir: string;
  let videos: VideoFiles;
  const agent = new Agent();

  beforeAll(async () => {
    provider = await startFakeProvider({ videoBytes: VIDEO });
    provider.tasks.set(TASK, { id: TASK, body: {}, createdAt: 0, state: 'completed', progress: 100, polls: 0, manual: true });
  });
  afterAll(async () => {
    await provider.close();
    await agent.close();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hvb-videos-'));
    videos = createVideoFiles({
      dir,
      download: (url, path) => downloadToFile(url, path, { maxBytes: 1024 * 1024, timeoutMs: 5_000, dispatcher: agent }),
      logger: silentLogger(),
    });
    provider.fileRequests.length = 0;
    return () => rmSync(dir, { recursive: true, force: true });
  });
  const url = () => provider.videoUrl(TASK);

  it('GIVEN a whole MP4 WHEN fetched for three tries THEN it is downloaded once and every try gets the same file', async () => {
    const first = await videos.fetch('j1', url());
    expect(first).toEqual({ ok: true, path: join(dir, 'j1.mp4'), size: VIDEO.length });
    expect(await videos.fetch('j1', url())).toEqual(first);
    expect(await videos.fetch('j1', url())).toEqual(first);
    expect(provider.fileRequests).toHaveLength(1);
    await videos.discard('j1');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('GIVEN the folder removed while the bot runs (a cleaner of /tmp) WHEN a video is fetched THEN the folder is made again, private to the bot (0700), and the video is there', async () => {
    rmSync(dir, { recursive: true, force: true });
    const fetched = await videos.fetch('j1', url());
    expect(fetched).toEqual({ ok: true, path: join(dir, 'j1.mp4'), size: VIDEO.length });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('GIVEN two tries at once THEN one download serves both', async () => {
    const [a, b] = await Promise.all([videos.fetch('j2', url()), videos.fetch('j2', url())]);
    expect(a).toEqual(b);
    expect(provider.fileRequests).toHaveLength(1);
  });

  it.each([
    ['chunked_ends_early', 'truncated'],
    ['short_body', 'ended at'],
    ['no_moov', 'no_moov'],
  ] as const)('GIVEN a download that %s THEN it fails, the link may still work, and no file is left', async (mode, detail) => {
    provider.breakNextFile(mode);
    const fetched = await videos.fetch('j3', url());
    expect(fetched).toMatchObject({ ok: false, reason: 'failed', linkMayWork: true });
    expect(fetched.ok ? '' : 'detail' in fetched ? fetched.detail : '').toContain(detail);
    expect(readdirSync(dir)).toEqual([]);
    // The next try gets the whole file.
    expect(await videos.fetch('j3', url())).toMatchObject({ ok: true, size: VIDEO.length });
  });

  it.each([404, 410, 403])('GIVEN the provider answers %i THEN it fails and the link is dead', async (status) => {
    provider.failNext('file', { status, body: 'gone' });
    expect(await videos.fetch('j4', url())).toMatchObject({ ok: false, reason: 'failed', linkMayWork: false, detail: `HTTP ${status}` });
  });

  it('GIVEN a 503 or an HTML page instead of a video THEN the first may work later, the second not', async () => {
    provider.failNext('file', { status: 503, body: 'busy' });
    expect(await videos.fetch('j5', url())).toMatchObject({ ok: false, linkMayWork: true });
    provider.failNext('file', { status: 200, body: '<html>login</html>' });
    expect(await videos.fetch('j5', url())).toMatchObject({ ok: false, linkMayWork: false });
  });

  it('GIVEN a file over the cap THEN it is too large (its link works: the provider served it)', async () => {
    const small = createVideoFiles({
      dir,
      download: (u, path) => downloadToFile(u, path, { maxBytes: 1024, timeoutMs: 5_000, dispatcher: agent }),
      logger: silentLogger(),
    });
    expect(await small.fetch('j6', url())).toEqual({ ok: false, reason: 'too_large' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('GIVEN files left by a crash WHEN the bot starts THEN those of ended jobs go, live ones stay, unknown ones go only once a day old', async () => {
    for (const name of ['jlive.mp4', 'jended.mp4', 'jended2.mp4.part', 'jother.mp4', 'jold.mp4', 'notes.txt'])
      writeFileSync(join(dir, name), 'x');
    const dayAgo = (Date.now() - 25 * 60 * 60_000) / 1000;
    utimesSync(join(dir, 'jold.mp4'), dayAgo, dayAgo);
    const owners: Record<string, 'live' | 'final' | 'unknown'> = { jlive: 'live', jended: 'final', jended2: 'final' };
    expect(await videos.sweep(async (id) => owners[id] ?? 'unknown')).toBe(3);
    expect(readdirSync(dir).sort()).toEqual(['jlive.mp4', 'jother.mp4', 'notes.txt']);
    expect(existsSync(join(dir, 'jold.mp4'))).toBe(false);
  });
});
