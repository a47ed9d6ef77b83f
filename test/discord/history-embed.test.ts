import { describe, expect, it } from 'vitest';
import { historyButtons, historyEmbed } from '../../src/discord/render/history.js';
import { sampleJob } from '../support/jobs.js';

const now = Date.UTC(2026, 10, 30, 12);

describe("/videos page within Discord's limits", () => {
  it('GIVEN ten videos with 2000-character prompts and 1,900-character signed links THEN the page fits an embed, keeps every entry and cuts nothing mid-emoji', () => {
    const prompt = `${'🎬'.repeat(999)}x\n second line`;
    const jobs = Array.from({ length: 10 }, (_, i) =>
      sampleJob({
        id: `j${i}`,
        createdAt: now - i * 60_000,
        state: 'delivered',
        completedAt: now - i * 60_000,
        request: { ...sampleJob().request, userPrompt: prompt, prompt },
        reply: { ...sampleJob().reply, messageId: `150000000000000000${i}` },
        result: { videoUrl: `https://cdn.example/v${i}.mp4?sig=${'a'.repeat(1900)}`, expiresAt: now + 3_600_000, delivery: 'attachment' },
      }),
    );
    const embed = historyEmbed({ jobs, total: 25, offset: 10 }, 'en-US', now, 30);
    const description = embed.description ?? '';
    expect(description.length).toBeLessThanOrEqual(4096);
    expect(JSON.stringify(embed).length).toBeLessThan(6000);
    for (let i = 11; i <= 20; i += 1) expect(description).toContain(`**${i}.**`);
    expect(description).toContain('provider link: open the message');
    expect(description).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(description).not.toContain('second line\n');
    expect(embed.footer?.text).toBe('Page 2 of 3 · 25 videos · kept 30 days');

    const [row] = historyButtons({ jobs, total: 25, offset: 10 }, 'zh-CN');
    expect(row?.components.map((c) => ('label' in c ? c.label : ''))).toEqual(['较新', '较早']);
  });

  it('GIVEN a link that ran out THEN it is not offered', () => {
    const job = sampleJob({
      state: 'delivered',
      completedAt: now - 2 * 86_400_000,
      result: { videoUrl: 'https://cdn.example/old.mp4', expiresAt: null, delivery: 'link' },
    });
    expect(historyEmbed({ jobs: [job], total: 1, offset: 0 }, 'en-US', now, 30).description).not.toContain('old.mp4');
  });
});
