import { defaultDeserialize, defaultSerialize } from '@keyv/serialize';

// A string that starts with ':' (keyv escapes those, and writes Buffers as ':base64:…') can only
// show in JSON text as a quote right after `:`, `,` or `[` followed by a colon; inside a string a
// quote is always escaped. Keys starting with ':' match too, which only costs the slow path.
const ESCAPED = /[:,[]":/;
const BUFFER = /"type":"Buffer"/;

/**
 * keyv's serialisation, byte for byte, at the speed of `JSON.stringify`: records written before
 * (and by keyv's own serializer) read back the same. The stock serializer walks every value in
 * JavaScript; it was a tenth of the bot's CPU per `/video`. Values with a string starting with ':'
 * or a Buffer take the stock path, which escapes them.
 */
export function serialize(data: unknown): string {
  const text = JSON.stringify(data) as string | undefined;
  if (text === undefined || ESCAPED.test(text) || BUFFER.test(text)) return defaultSerialize(data);
  return text;
}

/** The inverse of {@link serialize} (and of keyv's stock serializer): plain `JSON.parse` unless an escaped string is present. */
export function deserialize<T>(text: string): T {
  return (ESCAPED.test(text) ? defaultDeserialize(text) : JSON.parse(text)) as T;
}

/**
 * A keyv record as stored: `{ value, expires? }` serialized, `expires` in ms since the epoch: absent
 * without a `ttl` (ms) or with 0, already past with a negative one, as keyv 5's `set` does. What
 * `kv.set` writes, byte for byte, so records written by the stores' own commits read back through
 * `kv` and the other way.
 */
export function encodeRecord(value: unknown, ttl: number | undefined): string {
  return serialize({ value, expires: ttl !== undefined && ttl !== 0 ? Date.now() + ttl : undefined });
}

/**
 * The value of a stored keyv record as `kv.get` returns it: undefined when missing (`null` or
 * `undefined`) or expired.
 *
 * @throws SyntaxError when the text is not JSON (as `kv.get` would).
 */
export function decodeRecord(raw: string | null | undefined): unknown {
  if (raw === null || raw === undefined) return undefined;
  const data = deserialize<{ value?: unknown; expires?: unknown } | null>(raw);
  if (data === null || typeof data !== 'object') return undefined;
  if (typeof data.expires === 'number' && Date.now() > data.expires) return undefined;
  return data.value;
}
