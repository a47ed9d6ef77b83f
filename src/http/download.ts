/** Fetching untrusted URLs (provider result videos, user images) with a size cap and a deadline. */
import type { Dispatcher } from 'undici';
import { loadUndici } from './undici.js';
import { discardBody, readCapped, readPrefix } from './read-body.js';
import { classifyTransportError } from './transport-error.js';

export { sniffImageType, SNIFF_BYTES, type SniffedImageType } from './sniff.js';

export type FetchFailure =
  { ok: false; reason: 'http_error'; status: number } | { ok: false; reason: 'network' | 'timeout'; message: string };

export type DownloadResult =
  { ok: true; data: Buffer; contentType?: string } | { ok: false; reason: 'too_large'; size?: number } | FetchFailure;

export type ProbeResult =
  | {
      ok: true;
      /** At most the requested number of bytes (fewer when the file is shorter). */
      data: Buffer;
      contentType?: string;
      /** The whole file's size when the server said (Content-Range total or Content-Length). */
      totalSize?: number;
    }
  | FetchFailure;

export interface FetchOptions {
  /** Overall deadline for the whole exchange, body included. */
  timeoutMs: number;
  /** Defaults to undici's global dispatcher; redirects are layered on top either way. */
  dispatcher?: Dispatcher;
  /** Aborting rejects the promise with the signal's reason (it is not turned into a result). */
  signal?: AbortSignal;
}

export interface DownloadOptions extends FetchOptions {
  maxBytes: number;
}

const MAX_REDIRECTS = 3;

/**
 * Downloads `url` into memory, refusing anything larger than `maxBytes`: up front from
 * `content-length`, otherwise by counting while streaming and destroying the body at the cap.
 * Follows up to 3 redirects; a 4th is reported as an `http_error` with the 3xx status.
 */
/**
 * GETs `url` and looks at the answer before its body is read: a status outside 2xx is an
 * `http_error` (its body drained), a `content-length` over `maxBytes` is `too_large` (the body
 * dropped). Otherwise the body is the caller's to read, with its `content-length` when announced.
 */
export async function openCapped(
  url: string,
  options: FetchOptions & { maxBytes: number },
  signal: AbortSignal,
  dispatcher: Dispatcher,
): Promise<
  | { ok: true; headers: Dispatcher.ResponseData['headers']; body: Dispatcher.ResponseData['body']; declared: number | undefined }
  | { ok: false; reason: 'http_error'; status: number }
  | { ok: false; reason: 'too_large'; size: number }
> {
  const { request } = await loadUndici();
  const { statusCode, headers, body } = await request(url, { method: 'GET', dispatcher, signal, ...timeouts(options) });
  if (statusCode < 200 || statusCode >= 300) {
    await discardBody(body);
    return { ok: false, reason: 'http_error', status: statusCode };
  }
  const declared = headerNumber(headers['content-length']);
  if (declared !== undefined && declared > options.maxBytes) {
    body.destroy();
    return { ok: false, reason: 'too_large', size: declared };
  }
  return { ok: true, headers, body, declared };
}

export async function downloadCapped(url: string, options: DownloadOptions): Promise<DownloadResult> {
  return withDeadline(options, async (signal, dispatcher) => {
    const opened = await openCapped(url, options, signal, dispatcher);
    if (!opened.ok) return opened;
    const { headers, body } = opened;
    const read = await readCapped(body, options.maxBytes);
    if (!read.ok) return { ok: false, reason: 'too_large' };
    return withContentType({ ok: true, data: read.data }, headers);
  });
}

/**
 * Fetches only the first `bytes` bytes of `url` (e.g. to check an image's magic bytes with
 * {@link sniffImageType}) via a `Range` request, and copes with servers that ignore `Range` by
 * reading the prefix and destroying the rest of the body.
 */
export async function probeHead(url: string, options: FetchOptions & { bytes: number }): Promise<ProbeResult> {
  return withDeadline(options, async (signal, dispatcher) => {
    const { request } = await loadUndici();
    const response = await request(url, {
      method: 'GET',
      headers: { range: `bytes=0-${Math.max(0, options.bytes - 1)}` },
      dispatcher,
      signal,
      ...timeouts(options),
    });
    const { statusCode, headers, body } = response;
    if (statusCode !== 200 && statusCode !== 206) {
      await discardBody(body);
      return { ok: false, reason: 'http_error', status: statusCode };
    }
    const data = await readPrefix(body, options.bytes);
    const totalSize = statusCode === 206 ? rangeTotal(headers['content-range']) : headerNumber(headers['content-length']);
    const result = withContentType({ ok: true as const, data }, headers);
    return totalSize === undefined ? result : { ...result, totalSize };
  });
}

/** Runs `work` under the overall deadline and turns transport errors into result values. */
export async function withDeadline<T>(
  options: FetchOptions,
  work: (signal: AbortSignal, dispatcher: Dispatcher) => Promise<T | FetchFailure>,
): Promise<T | FetchFailure> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error('download deadline exceeded')), options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;
  try {
    const { getGlobalDispatcher, interceptors } = await loadUndici();
    const dispatcher = (options.dispatcher ?? getGlobalDispatcher()).compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTS }));
    return await work(signal, dispatcher);
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (deadline.signal.aborted) {
      return { ok: false, reason: 'timeout', message: `no complete answer within ${options.timeoutMs} ms` };
    }
    const failure = classifyTransportError(error);
    return { ok: false, reason: failure.kind, message: failure.message };
  } finally {
    clearTimeout(timer);
  }
}

/** Per-phase timeouts never longer than the overall deadline, so the first to fire is meaningful. */
export function timeouts(options: FetchOptions): { headersTimeout: number; bodyTimeout: number } {
  return { headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs };
}

function withContentType<R extends { ok: true }>(
  result: R,
  headers: Record<string, string | string[] | undefined>,
): R & { contentType?: string } {
  const raw = headers['content-type'];
  const contentType = Array.isArray(raw) ? raw[0] : raw;
  return contentType === undefined ? result : { ...result, contentType };
}

export function headerNumber(raw: string | string[] | undefined): number | undefined {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  return Number.parseInt(value, 10);
}

/** `bytes 0-11/4096` → 4096; `*` (unknown total) → undefined. */
function rangeTotal(raw: string | string[] | undefined): number | undefined {
  const value = Array.isArray(raw) ? raw[0] : raw;
  const match = value === undefined ? null : /\/\s*(\d+)\s*$/.exec(value);
  return match?.[1] === undefined ? undefined : Number.parseInt(match[1], 10);
}
