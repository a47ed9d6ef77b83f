import { describe, expect, it } from 'vitest';
import { placeInLine } from '../../src/discord/render/format.js';
import { failureEmbed, progressEmbed } from '../../src/discord/render/job-embeds.js';
import { waitingProgress } from '../../src/jobs/progress.js';
import { sampleJob } from '../support/jobs.js';

describe('a member’s place in line, in their language', () => {
  it.each([
    [1, '1st'],
    [2, '2nd'],
    [3, '3rd'],
    [4, '4th'],
    [11, '11th'],
    [12, '12th'],
    [13, '13th'],
    [21, '21st'],
    [22, '22nd'],
    [23, '23rd'],
    [101, '101st'],
    [111, '111th'],
    [112, '112th'],
  ])('%i is “%s” in English', (position, expected) => {
    expect(placeInLine(position, 'en-US')).toBe(expected);
  });

  it('GIVEN an English member 2nd in line WHEN the reply is drawn THEN it says “2nd in line · starts <t:…:R>”', () => {
    const job = sampleJob({ state: 'waiting', taskId: null, submittedAt: null });
    const embed = progressEmbed(job, waitingProgress(job, 1_000_000, { position: 2, startsAt: 1_060_000 }));
    expect(embed.description).toContain('**2nd in line · starts <t:1060:R>**');
  });

  it('GIVEN a zh-CN member 2nd in line WHEN the reply is drawn THEN it says “第 2 位 · 预计 <t:…:R> 开始”', () => {
    const job = sampleJob({ state: 'waiting', taskId: null, submittedAt: null, reply: { ...sampleJob().reply, locale: 'zh-CN' } });
    const embed = progressEmbed(job, waitingProgress(job, 1_000_000, { position: 2, startsAt: 1_060_000 }));
    expect(embed.description).toContain('**第 2 位 · 预计 <t:1060:R> 开始**');
  });

  it('GIVEN a start estimate a few seconds off a round number WHEN drawn THEN it is rounded up to 10 s, so a line that did not move edits nothing', () => {
    const job = sampleJob({ state: 'waiting', taskId: null, submittedAt: null });
    expect(waitingProgress(job, 0, { position: 1, startsAt: 61_234 }).line?.startsAt).toBe(70_000);
  });

  it('GIVEN a job cancelled by a moderator WHEN the reply is drawn THEN it names who cancelled and that nothing was charged, in both languages', () => {
    const job = sampleJob({ state: 'cancelled', failure: { reason: 'cancelled', detail: '1500000000000000009' } });
    const en = failureEmbed(job);
    expect(en.title).toContain('cancelled');
    expect(en.description).toContain('Cancelled by <@1500000000000000009>');
    expect(en.description).toContain('Nothing was charged');
    const zh = failureEmbed({ ...job, reply: { ...job.reply, locale: 'zh-CN' } });
    expect(zh.title).toContain('已取消');
    expect(zh.description).toContain('已由 <@1500000000000000009> 在提交给视频服务之前取消');
  });
});
