import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadCapped, probeHead, sniffImageType } from '../../src/http/download.js';
import { defaultVideoBytes } from '../fakes/provider-data.js';
import { startFakeProvider } from '../fakes/provider.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const JPEG = Buffer.from('ffd8ffe000104a46494600010100', 'hex');
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 ')]);
const FILE = Buffer.concat([PNG, Buffer.alloc(4000, 7)]);

let server: Server;
let base: string;
/** Responses the server saw closed before it finished writing them. */
const cutShort: string[] = [];

function endless(res: ServerResponse, path: string): void {
  const chunk = Buffer.alloc(16 * 1024, 1);
  const timer = setInterval(() => res.write(chunk), 2);
  res.on('close', () => {
    clearInterval(timer);
    if (!res.writableFinished) cutShort.push(path);
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/file') {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(FILE.length) });
      res.end(FILE);
    } else if (path === '/declared-huge') {
      res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
      res.write(Buffer.alloc(1024));
      endless(res, path);
    } else if (path === '/chunked-endless') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      endless(res, path);
    } else if (path === '/stall-body') {
      res.writeHead(200, { 'content-length': '100' });
      res.write(Buffer.alloc(10));
    } else if (path === '/never') {
      // no answer at all
    } else if (path.startsWith('/hop/')) {
      const left = Number(path.slice('/hop/'.length));
      res.writeHead(302, { location: left > 0 ? `/hop/${left - 1}` : '/file' });
      res.end();
    } else if (path === '/ranged') {
      const match = /bytes=0-(\d+)/.exec(req.headers.range ?? '');
      const end = Math.min(Number(match?.[1] ?? FILE.length - 1), FILE.length - 1);
      res.writeHead(206, { 'content-range': `bytes 0-${end}/${FILE.length}`, 'content-length': String(end + 1) });
      res.end(FILE.subarray(0, end + 1));
    } else if (path === '/ignores-range') {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(FILE.length) });
      res.end(FILE);
    } else {
      res.writeHead(404);
      res.end('nope');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('downloadCapped', () => {
  it('GIVEN a file under the cap THEN returns its exact bytes and content type', async () => {
    const result = await downloadCapped(`${base}/file`, { maxBytes: 10_000, timeoutMs: 2000 });
    expect(result).toEqual({ ok: true, data: FILE, contentType: 'image/png' });
  });

  it('GIVEN a file exactly at the cap THEN it is accepted', async () => {
    const result = await downloadCapped(`${base}/file`, { maxBytes: FILE.length, timeoutMs: 2000 });
    expect(result.ok).toBe(true);
  });

  it('GIVEN a content-length over the cap THEN too_large with the size, without reading the body', async () => {
    const started = Date.now();
    const result = await downloadCapped(`${base}/declared-huge`, { maxBytes: 1024 * 1024, timeoutMs: 5000 });
    expect(result).toEqual({ ok: false, reason: 'too_large', size: 50 * 1024 * 1024 });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('GIVEN an endless chunked body THEN too_large and the connection is cut', async () => {
    const result = await downloadCapped(`${base}/chunked-endless`, { maxBytes: 64 * 1024, timeoutMs: 5000 });
    expect(result).toEqual({ ok: false, reason: 'too_large' });
    await expect.poll(() => cutShort).toContain('/chunked-endless');
  });

  it('GIVEN a body that stalls THEN timeout at the overall deadline', async () => {
    const started = Date.now();
    const result = await downloadCapped(`${base}/stall-body`, { maxBytes: 1000, timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('GIVEN no answer at all THEN timeout', async () => {
    expect(await downloadCapped(`${base}/never`, { maxBytes: 1000, timeoutMs: 300 })).toMatchObject({
      ok: false,
      reason: 'timeout',
    });
  });

  it('follows up to 3 redirects and reports a 4th as an http_error', async () => {
    expect(await downloadCapped(`${base}/hop/2`, { maxBytes: 10_000, timeoutMs: 2000 })).toMatchObject({ ok: true, data: FILE });
    expect(await downloadCapped(`${base}/hop/3`, { maxBytes: 10_000, timeoutMs: 2000 })).toEqual({
      ok: false,
      reason: 'http_error',
      status: 302,
    });
  });

  it('GIVEN a 404 THEN http_error', async () => {
    expect(await downloadCapped(`${base}/missing`, { maxBytes: 10, timeoutMs: 2000 })).toEqual({
      ok: false,
      reason: 'http_error',
      status: 404,
    });
  });

  it('GIVEN a refused connection THEN network', async () => {
    const result = await downloadCapped('http://127.0.0.1:1/x', { maxBytes: 10, timeoutMs: 2000 });
    expect(result).toMatchObject({ ok: false, reason: 'network', message: expect.stringContaining('ECONNREFUSED') });
  });

  it('GIVEN the caller aborts THEN rejects with the reason', async () => {
    const reason = new Error('stop');
    const controller = new AbortController();
    setTimeout(() => controller.abort(reason), 50);
    await expect(downloadCapped(`${base}/never`, { maxBytes: 10, timeoutMs: 5000, signal: controller.signal })).rejects.toBe(reason);
  });

  it('downloads a finished video from the fake provider, and refuses it once it is too big', async () => {
    const fake = await startFakeProvider({ pollsToComplete: 1 });
    try {
      const taskId = 'task_manual';
      fake.tasks.set(taskId, { id: taskId, body: {}, createdAt: 0, state: 'completed', progress: 100, polls: 0, manual: true });
      const ok = await downloadCapped(fake.videoUrl(taskId), { maxBytes: 1_000_000, timeoutMs: 2000 });
      expect(ok).toEqual({ ok: true, data: defaultVideoBytes(), contentType: 'video/mp4' });
      fake.setVideoBytes(Buffer.alloc(300_000), { chunked: true });
      expect(await downloadCapped(fake.videoUrl(taskId), { maxBytes: 100_000, timeoutMs: 2000 })).toEqual({
        ok: false,
        reason: 'too_large',
      });
    } finally {
      await fake.close();
    }
  });
});

describe('probeHead', () => {
  it('GIVEN a server honouring Range THEN the first bytes and the total size', async () => {
    const result = await probeHead(`${base}/ranged`, { bytes: 12, timeoutMs: 2000 });
    expect(result).toEqual({ ok: true, data: FILE.subarray(0, 12), totalSize: FILE.length });
  });

  it('GIVEN a server ignoring Range THEN still only the first bytes', async () => {
    const result = await probeHead(`${base}/ignores-range`, { bytes: 12, timeoutMs: 2000 });
    expect(result).toEqual({ ok: true, data: FILE.subarray(0, 12), contentType: 'image/png', totalSize: FILE.length });
    if (result.ok) expect(sniffImageType(result.data)).toBe('image/png');
  });

  it('GIVEN a 404 THEN http_error', async () => {
    expect(await probeHead(`${base}/missing`, { bytes: 12, timeoutMs: 2000 })).toEqual({
      ok: false,
      reason: 'http_error',
      status: 404,
    });
  });
});

describe('sniffImageType', () => {
  it.each([
    ['png', PNG, 'image/png'],
    ['jpeg', JPEG, 'image/jpeg'],
    ['webp', WEBP, 'image/webp'],
    ['gif', Buffer.from('GIF89a......'), undefined],
    ['RIFF that is not WebP', Buffer.from('RIFF\0\0\0\0WAVEfmt '), undefined],
    ['html', Buffer.from('<html><body>'), undefined],
    ['empty', Buffer.alloc(0), undefined],
    ['truncated png', PNG.subarray(0, 4), undefined],
  ])('%s → %s', (_name, bytes, expected) => {
    expect(sniffImageType(bytes)).toBe(expected);
  });
});
