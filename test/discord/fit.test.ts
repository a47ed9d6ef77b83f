import { describe, expect, it } from 'vitest';
import type { APIEmbed } from 'discord.js';
import { fitMessageBody } from '../../src/discord/render/fit.js';
import { cutCodePoints } from '../../src/text/code-points.js';
import { findLimitErrors } from '../fakes/discord/limits.js';

// The same checker the fake Discord answers 400 with judges what the net lets through.
const pieces = ['a', 'é', '字', '🎬', '👍🏽', '🇨🇳', '\u200b', '*', '\\', '\uD83C', '\uDFAC'];
function randomText(seed: number, length: number): string {
  let state = seed;
  let out = '';
  for (let i = 0; i < length; i += 1) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    out += pieces[state % pieces.length];
  }
  return out;
}

describe('fitMessageBody: the last check before a body leaves for Discord', () => {
  it('GIVEN 15 bodies of random text far over every limit (half emoji included) THEN each one that leaves fits every documented limit', () => {
    for (let seed = 1; seed <= 15; seed += 1) {
      const long = (n: number) => randomText(seed * 7 + n, 1100 + ((seed * 131) % 3000));
      const embed: APIEmbed = {
        title: long(1),
        description: long(2),
        footer: { text: long(3) },
        author: { name: long(4) },
        fields: Array.from({ length: 30 }, (_, i) => ({ name: long(10 + i), value: long(50 + i) })),
      };
      const body = {
        content: long(5),
        embeds: [embed, embed],
        components: [
          { type: 1, components: Array.from({ length: 7 }, (_, i) => ({ type: 2, style: 1, custom_id: `c${i}`, label: long(90 + i) })) },
        ],
        allowed_mentions: { parse: [] },
      };
      expect(findLimitErrors(fitMessageBody(body) as never, { requireAllowedMentions: true })).toEqual([]);
    }
  });

  it('GIVEN a link in the description and a long prompt echo over the 6000 total THEN the echo gives way and the link stays whole', () => {
    const link = `https://cdn.example/v.mp4?sig=${'x'.repeat(3400)}`;
    const body = {
      embeds: [
        {
          title: 'done',
          description: `here [Download](${link})`,
          fields: [
            { name: 'Prompt', value: 'p'.repeat(1024) },
            { name: 'Settings', value: 's'.repeat(1024) },
          ],
          footer: { text: 'f'.repeat(600) },
        },
      ],
      allowed_mentions: { parse: [] },
    };
    const fitted = fitMessageBody(body) as { embeds: APIEmbed[] };
    expect(fitted.embeds[0]?.description).toContain(link);
    expect(findLimitErrors(fitted as never, { requireAllowedMentions: true })).toEqual([]);
  });

  it('GIVEN a link button whose URL is over 512 THEN that button is left out and the others stay', () => {
    const body = {
      components: [
        {
          type: 1,
          components: [
            { type: 2, style: 5, url: `https://e.x/${'u'.repeat(600)}`, label: 'get' },
            { type: 2, style: 1, custom_id: 'video:regen:j1', label: 'again' },
          ],
        },
      ],
    };
    const fitted = fitMessageBody(body) as { components: Array<{ components: unknown[] }> };
    expect(fitted.components[0]?.components).toEqual([{ type: 2, style: 1, custom_id: 'video:regen:j1', label: 'again' }]);
  });

  it('cuts by code points and never leaves half an emoji', () => {
    expect(cutCodePoints(`x${'🎬'.repeat(30)}`, 50)).toBe(`x${'🎬'.repeat(30)}`);
    expect(cutCodePoints('🎬'.repeat(30), 10)).toBe(`${'🎬'.repeat(9)}…`);
    expect(cutCodePoints('abc', 0)).toBe('');
    expect(cutCodePoints('abcdef', 3, '[…]')).toBe('[…]');
    expect(cutCodePoints('ab\uD83C', 5)).toBe('ab\uFFFD');
  });
});
