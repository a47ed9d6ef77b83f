/** Fetching a large untrusted file (a provider's finished video) straight to disk. */
import { createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openCapped, withDeadline, type FetchFailure, type FetchOptions } from './download.js';

export type FileDownloadResult =
  | { ok: true; size: number; contentType?: string }
  | { ok: false; reason: 'too_large'; size?: number }
  /** The body ended before the `content-length` the server announced. */
  | { ok: false; reason: 'short'; received: number; declared: number }
  | FetchFailure;

export interface FileDownloadOptions extends FetchOptions {
  maxBytes: number;
}

class TooLarge extends Error {}

/**
 * Streams `url` into the file at `path` (created or replaced), refusing more than `maxBytes`
 * (up front from `content-length`, else at the cap while streaming). A body that ends before the
 * announced `content-length`, or breaks off, is a failure: the caller must not trust the file.
 * Follows up to 3 redirects (see {@link withDeadline}).
 */
export async function downloadToFile(url: string, path: string, options: FileDownloadOptions): Promise<FileDownloadResult> {
  return withDeadline(options, async (signal, dispatcher) => {
    const opened = await openCapped(url, options, signal, dispatcher);
    if (!opened.ok) return opened;
    const { headers, body, declared } = opened;
    let received = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done: TransformCallback) {
        received += chunk.byteLength;
        if (received > options.maxBytes) done(new TooLarge());
        else done(null, chunk);
      },
    });
    try {
      await pipeline(body, counter, createWriteStream(path));
    } catch (error) {
      if (error instanceof TooLarge) return { ok: false, reason: 'too_large' };
      // A body that broke off after part of the announced length: report it as short, the
      // clearest thing to tell the operator (undici calls it a socket or "other side closed").
      if (declared !== undefined && received < declared && !signal.aborted) return { ok: false, reason: 'short', received, declared };
      throw error;
    }
    if (declared !== undefined && received !== declared) return { ok: false, reason: 'short', received, declared };
    const raw = headers['content-type'];
    const contentType = Array.isArray(raw) ? raw[0] : raw;
    return contentType === undefined ? { ok: true, size: received } : { ok: true, size: received, contentType };
  });
}
