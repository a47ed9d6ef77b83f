import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from './fakes/discord/index.js';

// The fake must refuse what real Discord refuses, so a payload over a limit fails a test instead of
// failing a member. Each case is checked at the limit (accepted) and one past it (refused).
let fake: FakeDiscord;
beforeAll(async () => {
  fake = await startFakeDiscord();
});
afterAll(async () => {
  await fake?.close();
});

const SILENT = { parse: [] };
async function post(body: Record<string, unknown>): Promise<{ status: number; json: { code?: number; errors?: unknown } }> {
  const response = await fetch(`${fake.apiUrl}/v10/channels/${fake.defaultChannelId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bot ${fake.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as { code?: number; errors?: unknown } };
}
const button = (extra: Record<string, unknown>) => ({ type: 2, style: 1, custom_id: 'x', label: 'x', ...extra });
const row = (count: number, extra: Record<string, unknown> = {}) => ({
  type: 1,
  components: Array.from({ length: count }, (_, i) => button({ custom_id: `b${i}`, ...extra })),
});
const field = (name: string, value: string) => ({ name, value });

describe('GIVEN the fake Discord WHEN the bot sends a body over a documented limit THEN it answers 400 / 50035 naming the field, like Discord', () => {
  const cases: Array<[string, (n: number) => Record<string, unknown>, number, unknown]> = [
    [
      'content (code points: 2000 emoji fit)',
      (n) => ({ content: '🎬'.repeat(n) }),
      2000,
      { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } },
    ],
    ['embed title', (n) => ({ embeds: [{ title: 'a'.repeat(n) }] }), 256, { embeds: { 0: { title: {} } } }],
    ['embed description', (n) => ({ embeds: [{ description: 'é'.repeat(n) }] }), 4096, { embeds: { 0: { description: {} } } }],
    ['field name', (n) => ({ embeds: [{ fields: [field('n'.repeat(n), 'v')] }] }), 256, { embeds: { 0: { fields: { 0: { name: {} } } } } }],
    [
      'field value',
      (n) => ({ embeds: [{ fields: [field('n', '字'.repeat(n))] }] }),
      1024,
      { embeds: { 0: { fields: { 0: { value: {} } } } } },
    ],
    [
      'field count',
      (n) => ({ embeds: [{ fields: Array.from({ length: n }, () => field('n', 'v')) }] }),
      25,
      { embeds: { 0: { fields: {} } } },
    ],
    ['footer', (n) => ({ embeds: [{ footer: { text: 'f'.repeat(n) } }] }), 2048, { embeds: { 0: { footer: { text: {} } } } }],
    ['author name', (n) => ({ embeds: [{ author: { name: 'a'.repeat(n) } }] }), 256, { embeds: { 0: { author: { name: {} } } } }],
    ['embed count', (n) => ({ embeds: Array.from({ length: n }, () => ({ title: 't' })) }), 10, { embeds: {} }],
    [
      'all embeds together',
      (n) => ({ embeds: [{ description: 'd'.repeat(4000) }, { description: 'd'.repeat(n - 4000) }] }),
      6000,
      { embeds: { _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED' }] } },
    ],
    [
      'button label',
      (n) => ({ content: 'x', components: [row(1, { label: 'l'.repeat(n) })] }),
      80,
      { components: { 0: { components: { 0: { label: {} } } } } },
    ],
    [
      'custom_id',
      (n) => ({ content: 'x', components: [row(1, { custom_id: 'c'.repeat(n) })] }),
      100,
      { components: { 0: { components: { 0: { custom_id: {} } } } } },
    ],
    [
      'link button url',
      (n) => ({
        content: 'x',
        components: [{ type: 1, components: [{ type: 2, style: 5, label: 'go', url: `https://e.x/${'u'.repeat(n - 12)}` }] }],
      }),
      512,
      { components: { 0: { components: { 0: { url: {} } } } } },
    ],
    ['buttons per row', (n) => ({ content: 'x', components: [row(n)] }), 5, { components: { 0: { components: {} } } }],
    ['rows', (n) => ({ content: 'x', components: Array.from({ length: n }, () => row(1)) }), 5, { components: {} }],
  ];
  it.each(cases)('%s', async (_name, build, limit, where) => {
    const fits = await post({ ...build(limit), allowed_mentions: SILENT });
    expect(fits.status).toBe(200);
    const over = await post({ ...build(limit + 1), allowed_mentions: SILENT });
    expect(over.status).toBe(400);
    expect(over.json.code).toBe(50035);
    expect(over.json.errors).toMatchObject(where as object);
  });

  it('refuses half an emoji (an unpaired surrogate) anywhere in the body', async () => {
    const cut = '🎬🎬'.slice(0, 3);
    expect((await post({ content: cut, allowed_mentions: SILENT })).status).toBe(400);
    expect((await post({ embeds: [{ fields: [field('n', cut)] }], allowed_mentions: SILENT })).json.errors).toMatchObject({
      embeds: { 0: { fields: { 0: { value: {} } } } },
    });
    expect((await post({ content: '🎬🎬', allowed_mentions: SILENT })).status).toBe(200);
  });

  it('refuses a message without allowed_mentions (the project rule: nothing a member typed may ping)', async () => {
    const refused = await post({ content: 'hello' });
    expect(refused.status).toBe(400);
    expect(refused.json.errors).toMatchObject({ allowed_mentions: {} });
  });
});
