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
