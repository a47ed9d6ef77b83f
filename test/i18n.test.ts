import { describe, expect, it } from 'vitest';
import { catalogues, languageOf, t, translatorFor } from '../src/i18n/index.js';

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
    expect(t('en-US', 'validation.prompt_too_long', { length: 2010, max: 2000, overCharacters: '10 characters' })).toContain(
      'Shorten it by 10',
    );
  });
});

// Checked by `tsc` (part of `npm test`): a call with a missing, misspelt or needless parameter does
// not compile, so a member never sees a raw `{limit}` in a message.
describe('message parameters are typed from the English text', () => {
  it('GIVEN the right parameters THEN the call compiles and fills them', () => {
    expect(t('en', 'validation.prompt_too_long', { length: 2010, max: 2000, overCharacters: '10 characters' })).toContain(
      'the limit is 2000',
    );
    expect(t('en', 'error.restarting')).toContain('restarting');
  });

  it('GIVEN a missing, misspelt or needless parameter THEN tsc refuses the call', () => {
    // @ts-expect-error `overCharacters` is missing
    t('en', 'validation.prompt_too_long', { length: 2010, max: 2000 });
    // @ts-expect-error `lenght` is misspelt
    t('en', 'validation.prompt_too_long', { lenght: 2010, max: 2000, overCharacters: '10 characters' });
    // @ts-expect-error the text has no placeholders
    t('en', 'error.restarting', { ref: 'x' });
    // @ts-expect-error parameters are required for a text with placeholders
    translatorFor('en')('error.unexpected');
    expect(translatorFor('zh-CN')('error.unexpected', { ref: 'abc' })).toContain('abc');
  });
});
