/**
 * CDN route: `GET|HEAD /cdn/attachments/{id}/{filename}` answers registered or
 * uploaded attachment bytes, honours single `Range: bytes=a-b` requests and the
 * `ex` (expiry, hex seconds) parameter of signed URLs.
 */
import { apiError, type RouteResult } from './http-util.js';
import type { Route, RouteContext } from './router.js';

function parseRange(header: string, size: number): { start: number; end: number } | null | 'invalid' {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return 'invalid';
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return 'invalid';
  let start: number;
  let end: number;
  if (from === '') {
    start = Math.max(0, size - Number(to));
    end = size - 1;
  } else {
    start = Number(from);
    end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  }
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}

function serve(ctx: RouteContext): RouteResult {
  const [id, filename] = ctx.params;
  const file = id ? ctx.state.cdn.get(id) : undefined;
  if (!file || file.filename !== filename) return apiError(404, 0, '404: Not Found');
  const ex = ctx.query.get('ex');
  if (ex && /^[0-9a-f]+$/i.test(ex) && ctx.state.clock() / 1000 > parseInt(ex, 16)) {
    return { status: 404, raw: Buffer.from('This content is no longer available.'), headers: { 'Content-Type': 'text/plain' } };
  }
  const size = file.data.length;
  const headers: Record<string, string> = {
    'Content-Type': file.contentType,
    'Accept-Ranges': 'bytes',
  };
  const rangeHeader = ctx.headers.range;
  const range = typeof rangeHeader === 'string' ? parseRange(rangeHeader, size) : null;
  if (range === 'invalid') {
    return { status: 416, raw: Buffer.alloc(0), headers: { ...headers, 'Content-Range': `bytes */${size}` } };
  }
  const body = range ? file.data.subarray(range.start, range.end + 1) : file.data;
  if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
  headers['Content-Length'] = String(body.length);
  return { status: range ? 206 : 200, raw: ctx.method === 'HEAD' ? Buffer.alloc(0) : body, headers };
}

/** CDN routes (paths are not under `/api`). */
export const cdnRoutes: Route[] = [
  { methods: ['GET', 'HEAD'], pattern: /^\/cdn\/attachments\/(\d+)\/([^/]+)$/, auth: 'none', handle: serve },
];
