import { defaultDeserialize, defaultSerialize } from '@keyv/serialize';
import { describe, expect, it } from 'vitest';
import { deserialize, serialize } from '../../src/store/serialize.js';

// What keyv hands a serializer: `{ value, expires }` around a record.
const samples: unknown[] = [
  { value: { id: 'j1', prompt: 'a red fox', roleIds: ['1', '2'], progress: { percent: null }, n: 1.5 }, expires: 1_800_000_000_000 },
  { value: { prompt: ':smile: a cat [左摇] looks around', nested: [':x', 'y:', { k: ':z' }] } },
  { value: ['jobs', ':leading colon', '::double'] },
  { value: ':just a string' },
  { value: 'plain "quoted" text with \\ backslash and a "quote":colon' },
  { value: { ':key starting with a colon': 1, 'emoji 🎬': '👍', rtl: '\u202Eabc', zero: '\u200B' } },
  { value: { bytes: Buffer.from('hello'), list: [1, null, 3] } },
  { value: { date: new Date(0), skipped: undefined, fn: () => 1 } },
  { value: 0 },
  { value: null },
];

describe('store serialisation', () => {
  it('GIVEN any record, including strings that start with a colon and Buffers, WHEN written THEN the bytes are what keyv itself writes', () => {
    for (const sample of samples) expect(serialize(sample)).toBe(defaultSerialize(sample));
  });

  it('GIVEN records written by keyv itself (earlier versions of the bot) WHEN read back THEN they are the same values', () => {
    for (const sample of samples) {
      const written = defaultSerialize(sample);
      expect(deserialize(written)).toEqual(defaultDeserialize(written));
      expect(deserialize(serialize(sample))).toEqual(defaultDeserialize(written));
    }
    expect(deserialize<{ value: { prompt: string } }>(serialize({ value: { prompt: ':smile: hi' } })).value.prompt).toBe(':smile: hi');
  });
});
