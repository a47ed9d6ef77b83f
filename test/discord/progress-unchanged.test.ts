import type { REST } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { createDiscordReporter } from '../../src/discord/job-reporter.js';
import { computeProgress, waitingProgress } from '../../src/jobs/progress.js';
import { silentLogger } from '../../src/log.js';
import { sampleJob } from '../support/jobs.js';

/** The reporter on a REST client that records every reply edit it is asked to send. */
function reporterWithEdits(now: { ms: number }) {
  const edits: Array<{ route: string; body: unknown }> = [];
  const rest = {
    patch: (route: string, options: { body: unknown }) => {
      edits.push({ route, body: options.body });
      return Promise.resolve({});
    },
  } as unknown as REST;
  const reporter = createDiscordReporter({ rest, uploadRest: rest, logger: silentLogger(), clock: () => now.ms, progressEditMinMs: 0 });
  return { reporter, edits };
}

/** Lets the edit that `progress` started land. */
const landed = () => new Promise((resolve) => setImmediate(resolve));

describe('progress edits are sent only when the reply would look different', () => {
  it('GIVEN a member 2nd in line WHEN the line is refreshed 10 s and 60 s later without moving THEN their reply is not edited again; WHEN it moves THEN it is', async () => {
    const asked = 1_700_000_000_000;
    const now = { ms: asked };
    const { reporter, edits } = reporterWithEdits(now);
    const job = sampleJob({ id: 'jwait', state: 'waiting', taskId: null, submittedAt: null, createdAt: asked, updatedAt: asked });
    const place = { position: 2, startsAt: asked + 120_000 };

    await reporter.progress(job, waitingProgress(job, now.ms, place));
    await landed();
    expect(edits).toHaveLength(1);
    // How long the member has waited is counted up by Discord itself, not by an edit.
    expect(JSON.stringify(edits[0]?.body)).toContain(`<t:${asked / 1000}:R>`);

    for (const later of [10_000, 60_000]) {
      now.ms = asked + later;
      await reporter.progress(job, waitingProgress(job, now.ms, place));
      await landed();
    }
    expect(edits).toHaveLength(1);

    now.ms = asked + 70_000;
    await reporter.progress(job, waitingProgress(job, now.ms, { position: 1, startsAt: asked + 80_000 }));
    await landed();
    expect(edits).toHaveLength(2);
  });

  it('GIVEN a video generating whose estimate has not moved WHEN polled again THEN its reply is not edited', async () => {
    const asked = 1_700_000_000_000;
    const now = { ms: asked + 30_000 };
    const { reporter, edits } = reporterWithEdits(now);
    // 30 % of a 120 s job: the bar moves every 1.2 s, so two polls 0.5 s apart see the same percent.
    const job = sampleJob({ id: 'jrun', state: 'processing', createdAt: asked, updatedAt: asked, submittedAt: asked - 6_000 });
    await reporter.progress(job, computeProgress(job, now.ms));
    await landed();
    now.ms += 500;
    await reporter.progress(job, computeProgress(job, now.ms));
    await landed();
    expect(edits).toHaveLength(1);
  });
});
