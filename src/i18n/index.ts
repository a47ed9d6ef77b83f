import { en, type MessageKey } from './en.js';
import { zhCN } from './zh-CN.js';

export type { MessageKey };
export type Language = 'en' | 'zh-CN';
export type MessageParams = Record<string, string | number>;

/** The `{name}` placeholders of a message text, as a union of names (`never` when it has none). */
export type Placeholders<Text extends string> = Text extends `${string}{${infer Name}}${infer Rest}`
  ? (Name extends `${string}${' ' | '{' | '"' | ':'}${string}` ? never : Name) | Placeholders<Rest>
  : never;

/** The parameters the English text of `Key` needs: one string or number per placeholder. */
export type ParamsOf<Key extends MessageKey> = { [Name in Placeholders<(typeof en)[Key]>]: string | number };

type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;

/**
 * How a call passes a message's parameters: for one known key, nothing when its text has no
 * placeholders, else an object with exactly its placeholders (a missing or misspelt one fails to
 * compile); for a key picked at run time from several (`STAGE_KEYS[stage]`), any parameters.
 */
export type ParamsArg<Key extends MessageKey> =
  true extends IsUnion<Key>
    ? [params?: MessageParams]
    : [Placeholders<(typeof en)[Key]>] extends [never]
      ? [params?: Record<string, never>]
      : [params: ParamsOf<Key>];

/** Every catalogue, by language. A key missing in one of them is a test failure. */
export const catalogues: Record<Language, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

/** The language for a Discord locale: Chinese for zh-CN (and zh-TW falls back to it), English otherwise. */
export function languageOf(locale: string | null | undefined): Language {
  return locale?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/**
 * The message `key` in the member's language with `{name}` placeholders filled in. The parameters
 * are typed from the English text: `t(locale, 'quota.used', { used: 3, limit: 10 })`.
 */
export function t<Key extends MessageKey>(locale: string | null | undefined, key: Key, ...[params = {}]: ParamsArg<Key>): string {
  return fill(catalogues[languageOf(locale)][key] ?? en[key], params);
}

function fill(template: string, params: MessageParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A Translator bound to one member's locale; parameters typed as for {@link t}. */
export type Translator = <Key extends MessageKey>(key: Key, ...params: ParamsArg<Key>) => string;

/** The {@link Translator} of a Discord locale (`interaction.locale`); see {@link languageOf}. */
export function translatorFor(locale: string | null | undefined): Translator {
  return (key, ...params) => t(locale, key, ...params);
}
