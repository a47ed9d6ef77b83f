/** Reading an undici response body without trusting the server about its size. */

/** The part of undici's `BodyReadable` this module needs (keeps tests free to pass any stream). */
export interface StreamingBody extends AsyncIterable<Uint8Array> {
  destroy(error?: Error): unknown;
}

export type CappedRead = { ok: true; data: Buffer } | { ok: false; bytesSeen: number };

/**
 * Collects the body until it ends, destroying it (which closes the socket) as soon as more than
 * `maxBytes` have arrived, so an oversized or endless response costs at most one extra chunk.
 */
export async function readCapped(body: StreamingBody, maxBytes: number): Promise<CappedRead> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      body.destroy();
      return { ok: false, bytesSeen: total };
    }
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return { ok: true, data: Buffer.concat(chunks, total) };
}

/**
 * Collects at most the first `bytes` bytes and then destroys the body: for servers that ignore a
 * `Range` header and send the whole file.
 */
export async function readPrefix(body: StreamingBody, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const room = bytes - total;
    chunks.push(buf.byteLength > room ? buf.subarray(0, room) : buf);
    total += Math.min(room, buf.byteLength);
    if (total >= bytes) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks, total);
}

/** Drains a body we do not need so the keep-alive socket can be reused; gives up past 64 KiB. */
export async function discardBody(body: { dump(opts?: { limit: number }): Promise<void> }): Promise<void> {
  await body.dump({ limit: 64 * 1024 }).catch(() => undefined);
}
