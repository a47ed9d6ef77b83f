import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { progressEmbed, resultEmbed } from '../src/discord/render/job-embeds.js';
import { renderMessage } from '../scripts/demo/render.js';
import { sampleJob } from './support/jobs.js';

/** The first code block under "## What members see", without the author column. */
function readmeSample(): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## What members see'));
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block.split('\n').map((line) => line.slice(8).trimEnd());
}

/**
 * What differs between two showings of the same reply: times (the README says them as Discord
 * does, "2 seconds ago"; the terminal renderer "2s ago"), the job id and the member.
 */
const shape = (line: string) =>
  line
    .replace(/(in )?(an?|\d+) (seconds?|minutes?|hours?)( ago)?|(in )?(\d+m )?\d+s( ago)?|\bnow\b/g, '<time>')
    .replace(/\bj[0-9a-z]{6,}\b/g, '<job>')
    .replace(/@\w+/g, '@<member>');

/** The lines of `sample` from the one starting with `first` through the one starting with `last`. */
function slice(sample: string[], first: string, last: string): string[] {
  const from = sample.findIndex((line) => line.startsWith(first));
  const to = sample.findIndex((line, i) => i > from && line.startsWith(last));
  expect(from, `the README sample has a line starting with ${first}`).toBeGreaterThanOrEqual(0);
  expect(to, `the README sample has a line starting with ${last}`).toBeGreaterThan(from);
  return sample.slice(from, to + 1);
}

describe("README, What members see: the sample is what the bot's replies show", () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const job = sampleJob({
    id: 'j1x9k2m4q7',
    createdAt: now - 2_000,
    request: {
      ...sampleJob().request,
      userPrompt: 'a red fox trotting through fresh snow',
      prompt: '[推进]a red fox trotting through fresh snow',
      camera: ['推进'],
    },
  });
  const users = new Map([[job.userId, 'member']]);
  const draw = (embed: unknown) =>
    renderMessage({ content: '', embeds: [embed], components: [], attachments: [], flags: 0 }, { now, botName: 'bot', users });

  it('GIVEN a job just queued THEN its progress reply reads line for line as the sample', () => {
    const reply = draw(progressEmbed(job, { stage: 'queued', percent: 0, estimated: true, etaAt: now + 120_000 }));
    expect(slice(readmeSample(), '🎬 Making your video', 'Job ').map(shape)).toEqual(reply.map(shape));
  });

  it('GIVEN a delivered video THEN its reply reads line for line as the sample (requester, prompt, settings, then the time it took with the job)', () => {
    const reply = draw(resultEmbed(job, now + 112_000));
    expect(slice(readmeSample(), '✅ Your video is ready', 'Took ').map(shape)).toEqual(reply.map(shape));
  });
});
