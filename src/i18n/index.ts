import { en, type MessageKey } from './en.js';
import { zhCN } from './zh-CN.js';

export type { MessageKey };
export type Language = 'en' | 'zh-CN';
export type MessageParams = Record<string, string | number>;

/** Every catalogue, by language. A key missing in one of them is a test failure. */
export const catalogues: Record<Language, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

/** The language for a Discord locale: Chinese for zh-CN (and zh-TW falls back to it), English otherwise. */
export function languageOf(locale: string | null | undefined): Language {
  return locale?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** The message `key` in the member's language with `{name}` placeholders filled in. */
export function t(locale: string | null | undefined, key: MessageKey, params: MessageParams = {}): string {
  const template = catalogues[languageOf(locale)][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A Translator bound to one member's locale. */
export type Translator = (key: MessageKey, params?: MessageParams) => string;

export function translatorFor(locale: string | null | undefined): Translator {
  return (key, params) => t(locale, key, params);
}
