/** Small HTTP helpers for the fake provider's server. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Answers with a JSON object or a raw string (HTML when it looks like markup), with content-length. */
export function send(res: ServerResponse, status: number, body?: string | object, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return;
  const isText = typeof body === 'string';
  const payload = body === undefined ? '' : isText ? body : JSON.stringify(body);
  const contentType = isText ? (body.trimStart().startsWith('<') ? 'text/html' : 'text/plain') : 'application/json';
  res.writeHead(status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(payload)), ...headers });
  res.end(payload);
}

/** Waits for `drain` (or `close`, when the client gave up), leaving no listener behind. */
export function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

/** The whole request body as UTF-8 text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parsed JSON, or `undefined` for anything that is not JSON. */
export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
