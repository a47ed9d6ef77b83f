/**
 * The last check before a body leaves for Discord: every documented limit, whatever the inputs.
 * Renderers already place long things where they fit (a provider link goes in an embed
 * description, which holds 4096); this net cuts what is still too long by code points, so a
 * forgotten case shows a shortened prompt instead of failing the whole delivery with 400 / 50035.
 *
 * Limits (Discord docs, resources/message "Embed Limits", components reference): content 2000;
 * ≤ 10 embeds; title 256, description 4096, ≤ 25 fields, field name 256, value 1024, footer 2048,
 * author name 256, embed url 2048, all embeds together 6000; button label 80, link url 512,
 * ≤ 5 buttons a row, ≤ 5 rows. `custom_id` (100) is never cut: ours are short and fixed-format.
 */
import type { APIEmbed } from 'discord.js';
import { codePointLength, cutCodePoints } from '../../text/code-points.js';

export const LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  authorName: 256,
  embedUrl: 2048,
  embedsTotal: 6000,
  buttonLabel: 80,
  buttonUrl: 512,
  rowItems: 5,
  rows: 5,
} as const;

// A field is never cut below this while the total is over 6000 (the prompt echo gives way first).
const FIELD_FLOOR = 64;

/** Characters an embed counts toward the 6000 total (title, description, fields, footer, author). */
export function embedSize(embed: APIEmbed): number {
  let size = codePointLength(embed.title ?? '') + codePointLength(embed.description ?? '');
  size += codePointLength(embed.footer?.text ?? '') + codePointLength(embed.author?.name ?? '');
  for (const field of embed.fields ?? []) size += codePointLength(field.name) + codePointLength(field.value);
  return size;
}

/** One embed within its own limits. */
export function fitEmbed(embed: APIEmbed): APIEmbed {
  const out: APIEmbed = { ...embed };
  if (out.title !== undefined) out.title = cutCodePoints(out.title, LIMITS.title);
  if (out.description !== undefined) out.description = cutCodePoints(out.description, LIMITS.description);
  if (out.url !== undefined && codePointLength(out.url) > LIMITS.embedUrl) delete out.url;
  if (out.footer) out.footer = { ...out.footer, text: cutCodePoints(out.footer.text, LIMITS.footer) };
  if (out.author) out.author = { ...out.author, name: cutCodePoints(out.author.name, LIMITS.authorName) };
  if (out.fields) {
    out.fields = out.fields.slice(0, LIMITS.fields).map((field) => ({
      ...field,
      name: cutCodePoints(field.name, LIMITS.fieldName) || '\u200b',
      value: cutCodePoints(field.value, LIMITS.fieldValue) || '\u200b',
    }));
  }
  return out;
}

/** A piece of embed text that may give way, and how short it may become. */
interface Slot {
  get(): string;
  set(value: string): void;
  floor: number;
}

/** The embed texts in the order they give way: prompt-like field values, descriptions, the rest. */
function slotsByTurn(embeds: APIEmbed[]): Slot[][] {
  const values: Slot[] = [];
  const descriptions: Slot[] = [];
  const rest: Slot[] = [];
  for (const embed of embeds) {
    const fields = embed.fields ?? [];
    fields.forEach((field, i) => {
      const value = {
        get: () => fields[i]?.value ?? '',
        set: (v: string) => void (fields[i] = { ...field, ...fields[i], value: v || '\u200b' }),
      };
      values.push({ ...value, floor: FIELD_FLOOR });
      rest.push({ ...value, floor: 1 });
      rest.push({
        get: () => fields[i]?.name ?? '',
        set: (v: string) => void (fields[i] = { ...field, ...fields[i], name: v || '\u200b' }),
        floor: 1,
      });
    });
    embed.fields = fields.length > 0 ? fields : embed.fields;
    if (embed.description !== undefined)
      descriptions.push({ get: () => embed.description ?? '', set: (v) => void (embed.description = v), floor: 0 });
    if (embed.footer)
      rest.push({ get: () => embed.footer?.text ?? '', set: (v) => void (embed.footer = { ...embed.footer, text: v }), floor: 0 });
    if (embed.author)
      rest.push({ get: () => embed.author?.name ?? '', set: (v) => void (embed.author = { ...embed.author, name: v }), floor: 0 });
    if (embed.title !== undefined) rest.push({ get: () => embed.title ?? '', set: (v) => void (embed.title = v), floor: 0 });
  }
  return [values, descriptions, rest];
}

/**
 * Embeds within their limits and together within 6000: the longest field values (the prompt
 * echo) give way first, then descriptions (which hold links: they are cut last among the long
 * texts), then titles, names and footers.
 */
export function fitEmbeds(embeds: readonly APIEmbed[]): APIEmbed[] {
  const fitted = embeds.slice(0, LIMITS.embeds).map(fitEmbed);
  let over = fitted.reduce((sum, embed) => sum + embedSize(embed), 0) - LIMITS.embedsTotal;
  for (const turn of slotsByTurn(fitted)) {
    const longestFirst = turn.map((slot) => ({ slot, length: codePointLength(slot.get()) })).sort((a, b) => b.length - a.length);
    for (const { slot, length } of longestFirst) {
      if (over <= 0) break;
      if (length <= slot.floor) continue;
      const kept = length - Math.min(over, length - slot.floor);
      slot.set(kept > 0 ? cutCodePoints(slot.get(), kept) : '');
      // An emptied field value becomes a zero-width space, so measure what was really saved.
      over -= length - codePointLength(slot.get());
    }
  }
  return fitted;
}

type Row = { type: number; components?: Array<Record<string, unknown>> } & Record<string, unknown>;

function fitRows(rows: readonly Row[]): Row[] {
  return rows.slice(0, LIMITS.rows).map((row) => {
    if (!Array.isArray(row.components)) return row;
    const children = row.components
      // A link button whose URL is too long cannot be shortened without breaking it: leave it out.
      .filter((child) => typeof child['url'] !== 'string' || codePointLength(child['url']) <= LIMITS.buttonUrl)
      .slice(0, LIMITS.rowItems)
      .map((child) =>
        typeof child['label'] === 'string' ? { ...child, label: cutCodePoints(child['label'], LIMITS.buttonLabel) } : child,
      );
    return { ...row, components: children };
  });
}

/**
 * A message body (create or edit, as Discord's API spells it) within every documented limit.
 * Fields it does not know are passed through unchanged.
 */
export function fitMessageBody(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  if (typeof out['content'] === 'string') out['content'] = cutCodePoints(out['content'], LIMITS.content);
  if (Array.isArray(out['embeds'])) out['embeds'] = fitEmbeds(out['embeds'] as APIEmbed[]);
  if (Array.isArray(out['components'])) out['components'] = fitRows(out['components'] as Row[]);
  return out;
}
