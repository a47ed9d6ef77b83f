import { describe, expect, it } from 'vitest';
import { catalogues, languageOf, t } from '../src/i18n/index.js';

describe('message catalogues', () => {
  it('have the same keys in every language', () => {
    const [first, ...rest] = Object.values(catalogues);
    for (const other of rest) expect(Object.keys(other).sort()).toEqual(Object.keys(first ?? {}).sort());
  });

  it('use the same placeholders in every language', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(catalogues.en) as Array<keyof typeof catalogues.en>) {
      expect(placeholders(catalogues['zh-CN'][key]), key).toEqual(placeholders(catalogues.en[key]));
    }
  });

  it('answer zh-CN members in Chinese and everyone else in English', () => {
    expect(languageOf('zh-CN')).toBe('zh-CN');
    expect(languageOf('zh-TW')).toBe('zh-CN');
    expect(languageOf('fr')).toBe('en');
    expect(t('zh-CN', 'stage.queued')).toBe('排队中');
    expect(t('en-US', 'validation.prompt_too_long', { length: 2010, max: 2000, over: 10 })).toContain('Shorten it by 10');
  });
});
