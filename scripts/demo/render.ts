/**
 * Draws a Discord message (content, embeds, attachments, buttons) as plain terminal lines, the way
 * a member's client would show it: markdown resolved, `<t:…:R>` timestamps as "in 1m 20s",
 * mentions as `@username`.
 */
import { createStyle, type Style } from './style.js';

/** What the renderer needs of a message: the fake Discord's snapshots and messages both fit. */
export interface MessageView {
  content: string;
  embeds: readonly unknown[];
  components: readonly unknown[];
  /** File names of the message's attachments. */
  attachments: readonly string[];
  flags: number;
}

export interface RenderContext {
  /** Clock the relative timestamps are drawn against (ms epoch). */
  now: number;
  /** Name shown in "… is thinking…". */
  botName: string;
  /** User id → username, for `<@id>` mentions. */
  users?: ReadonlyMap<string, string>;
  /** Channel id → name, for `<#id>`. */
  channels?: ReadonlyMap<string, string>;
  /** Size and type of an attachment, by file name, when known. */
  attachmentInfo?: (filename: string) => { size: number; contentType: string } | undefined;
  style?: Style;
}

const EPHEMERAL = 64;
const LOADING = 128;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** `1m 20s`, `45s`, `1h 05m`. */
export function shortDuration(ms: number): string {
  const total = Math.max(0, Math.round(Math.abs(ms) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

/** A Discord relative timestamp as a client shows it at `now`: "in 1m 20s", "2m 05s ago", "now". */
export function relativeText(atMs: number, now: number): string {
  const diff = atMs - now;
  if (Math.abs(diff) < 1000) return 'now';
  return diff > 0 ? `in ${shortDuration(diff)}` : `${shortDuration(diff)} ago`;
}

/** `1,064 bytes`, `12.4 KB`, `3.2 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 10 * 1024) return `${bytes.toLocaleString('en-US')} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function timestamp(seconds: number, style: string, now: number): string {
  const ms = seconds * 1000;
  const date = new Date(ms);
  switch (style) {
    case 'R':
      return relativeText(ms, now);
    case 't':
      return date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
    case 'T':
      return date.toLocaleTimeString('en-GB');
    case 'd':
      return date.toLocaleDateString('en-GB');
    default:
      return date.toLocaleString('en-GB');
  }
}

// Private-use characters stand in for escaped markdown while the rest is resolved.
const ESCAPE_BASE = 0xe000;

/** One line of Discord markdown as terminal text: tokens resolved, markup dropped, escapes undone. */
export function inlineText(text: string, context: RenderContext): string {
  const style = context.style ?? createStyle(false);
  const escaped: string[] = [];
  let out = text.replace(/\\([^\w\s])/g, (_, char: string) => {
    escaped.push(char);
    return String.fromCharCode(ESCAPE_BASE + escaped.length - 1);
  });
  out = out
    .replace(/<t:(-?\d+)(?::([tTdDfFR]))?>/g, (_, seconds: string, kind: string | undefined) =>
      timestamp(Number(seconds), kind ?? 'f', context.now),
    )
    .replace(/<@!?(\d+)>/g, (_, id: string) => `@${context.users?.get(id) ?? 'unknown-user'}`)
    .replace(/<@&(\d+)>/g, () => '@role')
    .replace(/<#(\d+)>/g, (_, id: string) => `#${context.channels?.get(id) ?? 'channel'}`)
    .replace(/<a?:(\w+):\d+>/g, (_, name: string) => `:${name}:`)
    .replace(/\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)/g, (_, label: string, url: string) => `${label} <${url}>`)
    .replace(/\*\*(.+?)\*\*/g, (_, inner: string) => style.bold(inner))
    .replace(/__(.+?)__/g, (_, inner: string) => inner)
    .replace(/~~(.+?)~~/g, (_, inner: string) => inner)
    .replace(/\|\|(.+?)\|\|/g, (_, inner: string) => `[spoiler: ${inner}]`)
    .replace(/`([^`]+)`/g, (_, inner: string) => inner);
  return out.replace(/[\ue000-\uf8ff]/g, (char) => escaped[char.charCodeAt(0) - ESCAPE_BASE] ?? char);
}

/** Multi-line markdown: `-# small print` becomes dim, headings lose their `#`. */
export function blockLines(text: string, context: RenderContext): string[] {
  const style = context.style ?? createStyle(false);
  return text.split('\n').map((line) => {
    const small = /^-#\s+(.*)$/.exec(line);
    if (small) return style.dim(inlineText(small[1] ?? '', context));
    const heading = /^#{1,3}\s+(.*)$/.exec(line);
    if (heading) return style.bold(inlineText(heading[1] ?? '', context));
    return inlineText(line, context);
  });
}

function embedLines(embed: Record<string, unknown>, context: RenderContext): string[] {
  const style = context.style ?? createStyle(false);
  const lines: string[] = [];
  const author = isObject(embed['author']) ? str(embed['author']['name']) : '';
  if (author) lines.push(style.dim(inlineText(author, context)));
  const title = str(embed['title']);
  if (title) lines.push(style.bold(inlineText(title, context)));
  const description = str(embed['description']);
  if (description) lines.push(...blockLines(description, context));
  let inlineRun: string[] = [];
  const flush = () => {
    if (inlineRun.length) lines.push(inlineRun.join(style.dim(' · ')));
    inlineRun = [];
  };
  for (const field of list(embed['fields'])) {
    if (!isObject(field)) continue;
    const name = inlineText(str(field['name']), context);
    const [first = '', ...rest] = blockLines(str(field['value']).replace(/\u200b/g, ''), context);
    const text = `${style.dim(name)} ${first}`.trimEnd();
    if (field['inline'] === true && rest.length === 0) {
      inlineRun.push(text);
      continue;
    }
    flush();
    lines.push(text, ...rest.map((line) => `  ${line}`));
  }
  flush();
  const footer = isObject(embed['footer']) ? str(embed['footer']['text']) : '';
  if (footer) lines.push(style.dim(inlineText(footer, context)));
  return lines;
}

function buttonLabel(component: Record<string, unknown>, context: RenderContext): string {
  const emoji = isObject(component['emoji']) ? str(component['emoji']['name']) : '';
  const label = inlineText(str(component['label']), context);
  const text = [emoji, label].filter(Boolean).join(' ');
  const link = component['style'] === 5 ? ' ↗' : '';
  const disabled = component['disabled'] === true ? ' (disabled)' : '';
  return `[${text}${link}]${disabled}`;
}

function componentLines(components: readonly unknown[], context: RenderContext): string[] {
  return components.flatMap((row) => {
    if (!isObject(row)) return [];
    const parts = list(row['components']).flatMap((component) => {
      if (!isObject(component)) return [];
      if (component['type'] === 2) return [buttonLabel(component, context)];
      const placeholder = str(component['placeholder']);
      return [`[▾ ${placeholder || 'menu'}]`];
    });
    return parts.length ? [parts.join(' ')] : [];
  });
}

/**
 * The message as terminal lines, without the author column. An ephemeral message starts with
 * "(only you can see this)"; a deferred reply reads "<bot> is thinking…".
 */
export function renderMessage(message: MessageView, context: RenderContext): string[] {
  const style = context.style ?? createStyle(false);
  const lines: string[] = [];
  if (message.flags & LOADING) {
    lines.push(style.dim(`${context.botName} is thinking…`));
  } else {
    if (message.content) lines.push(...blockLines(message.content, context));
    for (const embed of message.embeds) {
      if (!isObject(embed)) continue;
      if (lines.length) lines.push('');
      lines.push(...embedLines(embed, context));
    }
    for (const filename of message.attachments) {
      const info = context.attachmentInfo?.(filename);
      const detail = info ? ` (${info.contentType}, ${formatBytes(info.size)})` : '';
      lines.push(`📎 ${filename}${detail}`);
    }
    lines.push(...componentLines(message.components, context));
  }
  if (lines.length === 0) lines.push(style.dim('(empty message)'));
  if (message.flags & EPHEMERAL) lines[0] = `${style.note('(only you can see this)')} ${lines[0] ?? ''}`;
  return lines;
}

/**
 * A form (modal) as terminal lines, as it opens for the member: its title, then each field's
 * label and what it holds already (a prefilled prompt), or "(empty)".
 */
export function renderModal(modal: unknown, context: RenderContext): string[] {
  const style = context.style ?? createStyle(false);
  if (!isObject(modal)) return [style.dim('(a form)')];
  const lines = [`📝 ${style.bold(inlineText(str(modal['title']), context))}`];
  for (const row of list(modal['components'])) {
    // Discord's labelled fields (type 18) hold their input in `component`.
    if (!isObject(row) || !isObject(row['component'])) continue;
    const value = str(row['component']['value']);
    lines.push(`  ${style.dim(`${str(row['label'])}:`)} ${value || style.dim('(empty)')}`);
  }
  return lines;
}
