/**
 * Discord's documented limits on message bodies, enforced like Discord does: a 400 with code
 * 50035 "Invalid Form Body" and an `errors` object naming the field
 * (`{ embeds: { 0: { description: { _errors: [{ code, message }] } } } }`).
 *
 * Lengths are counted in Unicode code points, as Discord's API (Python 3 `len`) does
 * (discord/discord-api-docs#1315); JSON Schema `maxLength` in discord/discord-api-spec counts the
 * same way. A string with an unpaired surrogate (half an emoji) cannot be stored as UTF-8 and is
 * refused.
 *
 * Sources: discord-api-docs `resources/message.mdx` (create message: content 2000, embeds 10),
 * `resources/message.mdx#embed-limits` (title 256, description 4096, fields 25, field name 256,
 * value 1024, footer 2048, author name 256, all embeds 6000), `components/reference.mdx`
 * (button label 80, custom_id 100, url 512, 5 per row, 5 rows).
 *
 * `allowed_mentions` is not a Discord rule but this project's: every message the bot writes sets
 * it, so nothing a member typed can ping anyone. The fake refuses a write without it so a test
 * fails the moment a new payload forgets it.
 */
import type { RouteResult } from './http-util.js';
import type { Json, JsonObject } from './types.js';

/** One field error, as in Discord's `errors` object. */
export interface FieldError {
  /** Path of the field, e.g. `['embeds', 0, 'description']`. */
  path: Array<string | number>;
  code: string;
  message: string;
}

/** Which checks a route applies. */
export interface LimitOptions {
  /** Refuse a body without `allowed_mentions` (message creates and edits). */
  requireAllowedMentions: boolean;
}

const EMBED_LIMITS = {
  title: 256,
  description: 4096,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  authorName: 256,
  fields: 25,
  total: 6000,
};

/** Length as Discord counts it: code points. */
export const codePoints = (text: string): number => {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
};

const isObject = (value: Json | undefined): value is JsonObject => !!value && typeof value === 'object' && !Array.isArray(value);
const asArray = (value: Json | undefined): Json[] => (Array.isArray(value) ? value : []);

function maxLength(errors: FieldError[], path: FieldError['path'], value: Json | undefined, max: number): number {
  if (typeof value !== 'string') return 0;
  const length = codePoints(value);
  if (length > max) errors.push({ path, code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` });
  return length;
}

// In `u` mode a surrogate class matches only surrogates that are not half of a pair.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Every string anywhere in the body must be well-formed UTF-16 (no lone surrogate). */
function wellFormed(errors: FieldError[], path: FieldError['path'], value: Json | undefined): void {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value))
      errors.push({ path, code: 'STRING_TYPE_INVALID', message: 'Could not interpret the string: it holds an unpaired surrogate.' });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => wellFormed(errors, [...path, index], item));
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) wellFormed(errors, [...path, key], item);
  }
}

function checkEmbeds(errors: FieldError[], embeds: Json[]): void {
  if (embeds.length > 10) errors.push({ path: ['embeds'], code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 0 and 10 in length.' });
  let total = 0;
  embeds.forEach((embed, i) => {
    if (!isObject(embed)) return;
    total += maxLength(errors, ['embeds', i, 'title'], embed['title'], EMBED_LIMITS.title);
    total += maxLength(errors, ['embeds', i, 'description'], embed['description'], EMBED_LIMITS.description);
    const footer = embed['footer'];
    if (isObject(footer)) total += maxLength(errors, ['embeds', i, 'footer', 'text'], footer['text'], EMBED_LIMITS.footer);
    const author = embed['author'];
    if (isObject(author)) total += maxLength(errors, ['embeds', i, 'author', 'name'], author['name'], EMBED_LIMITS.authorName);
    const fields = asArray(embed['fields']);
    if (fields.length > EMBED_LIMITS.fields) {
      errors.push({
        path: ['embeds', i, 'fields'],
        code: 'BASE_TYPE_BAD_LENGTH',
        message: `Must be between 0 and ${EMBED_LIMITS.fields} in length.`,
      });
    }
    fields.forEach((field, j) => {
      if (!isObject(field)) return;
      total += maxLength(errors, ['embeds', i, 'fields', j, 'name'], field['name'], EMBED_LIMITS.fieldName);
      total += maxLength(errors, ['embeds', i, 'fields', j, 'value'], field['value'], EMBED_LIMITS.fieldValue);
    });
    const url = embed['url'];
    if (typeof url === 'string') maxLength(errors, ['embeds', i, 'url'], url, 2048);
  });
  if (total > EMBED_LIMITS.total) {
    errors.push({ path: ['embeds'], code: 'MAX_EMBED_SIZE_EXCEEDED', message: `Embed size exceeds maximum size of ${EMBED_LIMITS.total}` });
  }
}

function checkComponents(errors: FieldError[], rows: Json[]): void {
  if (rows.length > 5) errors.push({ path: ['components'], code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 5 in length.' });
  rows.forEach((row, i) => {
    if (!isObject(row)) return;
    const children = asArray(row['components']);
    if (children.length > 5)
      errors.push({ path: ['components', i, 'components'], code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 5 in length.' });
    children.forEach((child, j) => {
      if (!isObject(child)) return;
      const at = (key: string): FieldError['path'] => ['components', i, 'components', j, key];
      maxLength(errors, at('label'), child['label'], 80);
      maxLength(errors, at('custom_id'), child['custom_id'], 100);
      maxLength(errors, at('url'), child['url'], 512);
    });
  });
}

/** Every limit the body breaks (empty when it fits). */
export function findLimitErrors(body: JsonObject, options: LimitOptions): FieldError[] {
  const errors: FieldError[] = [];
  wellFormed(errors, [], body);
  maxLength(errors, ['content'], body['content'], 2000);
  if (typeof body['nonce'] === 'string') maxLength(errors, ['nonce'], body['nonce'], 25);
  checkEmbeds(errors, asArray(body['embeds']));
  checkComponents(errors, asArray(body['components']));
  if (options.requireAllowedMentions && !isObject(body['allowed_mentions'])) {
    errors.push({
      path: ['allowed_mentions'],
      code: 'FAKE_ALLOWED_MENTIONS_REQUIRED',
      message: 'Every message the bot writes must set allowed_mentions (project rule enforced by the fake).',
    });
  }
  return errors;
}

/** Discord's nested `errors` object for a list of field errors. */
export function errorsObject(errors: FieldError[]): JsonObject {
  const root: JsonObject = {};
  for (const error of errors) {
    let node = root;
    for (const key of error.path) {
      const name = String(key);
      const next = node[name];
      node = isObject(next) ? next : (node[name] = {});
    }
    const list = asArray(node['_errors']);
    node['_errors'] = [...list, { code: error.code, message: error.message }];
  }
  return root;
}

/** The 400 answer Discord gives for these errors, or undefined when there are none. */
export function limitResult(body: JsonObject, options: LimitOptions): RouteResult | undefined {
  const errors = findLimitErrors(body, options);
  if (errors.length === 0) return undefined;
  return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors: errorsObject(errors) } };
}
