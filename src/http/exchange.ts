/** One HTTP request whose answer is small JSON (or an error page we still want to classify). */
import type { Dispatcher } from 'undici';
import { loadUndici } from './undici.js';
import type { IncomingHttpHeaders } from 'node:http';
import { readCapped } from './read-body.js';

export interface ExchangeOptions {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  dispatcher: Dispatcher;
  signal?: AbortSignal;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Larger answers are not read: an API answer this big is a misbehaving server. */
  maxBodyBytes?: number;
}

export interface ExchangeAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the body is JSON, else its text (truncated), else `undefined`. */
  body: unknown;
  /**
   * Set when the status line arrived but the body could not be read in full (timeout, reset,
   * too large). The caller decides what a half-read answer means for its request.
   */
  readFailure?: unknown;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const MAX_TEXT_CHARS = 2000;

/**
 * Sends the request and reads the answer. Throws only when no status line arrived (connection
 * errors, headers timeout, abort), so callers can tell "never answered" from "answered badly".
 */
export async function exchangeJson(url: string, options: ExchangeOptions): Promise<ExchangeAnswer> {
  const { request } = await loadUndici();
  const response = await request(url, {
    method: options.method,
    headers: options.headers,
    body: options.body,
    dispatcher: options.dispatcher,
    signal: options.signal,
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
  });
  const answer = { status: response.statusCode, headers: response.headers };
  try {
    const read = await readCapped(response.body, options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    if (!read.ok) {
      return { ...answer, body: undefined, readFailure: new Error(`answer larger than ${read.bytesSeen} bytes`) };
    }
    return { ...answer, body: decode(read.data) };
  } catch (readFailure) {
    response.body.destroy();
    return { ...answer, body: undefined, readFailure };
  }
}

function decode(data: Buffer): unknown {
  const text = data.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text;
  }
}
