import type { Job } from '../../src/jobs/job.js';

/** A valid job record created just now (guild 1100000000000000001, a plain 768p 6 s request), changed by `overrides`. */
export function sampleJob(overrides: Partial<Job> = {}): Job {
  const now = Date.now();
  return {
    id: 'j1',
    version: 1,
    guildId: '1100000000000000001',
    userId: '1200000000000000001',
    roleIds: [],
    request: {
      userPrompt: 'a fox in the snow',
      prompt: 'a fox in the snow',
      camera: [],
      model: 'MiniMax-Hailuo-2.3',
      duration: 6,
      resolution: '768p',
      image: null,
      promptOptimizer: true,
      fastPretreatment: false,
      watermark: false,
    },
    reply: {
      applicationId: '1300000000000000001',
      interactionToken: 'interaction-token-secret',
      tokenIssuedAt: now,
      channelId: '1400000000000000001',
      messageId: null,
      attachmentSizeLimit: 10 * 1024 * 1024,
      locale: 'en-US',
    },
    state: 'submitted',
    cost: 1,
    reservationId: null,
    taskId: 'task-1',
    createdAt: now,
    updatedAt: now,
    submittedAt: now,
    completedAt: null,
    finishedAt: null,
    progress: { percent: null, estimatedTimeS: null, rawStatus: 'Queueing', lastChangeAt: now },
    poll: { nextAt: now, count: 0, failures: 0 },
    result: null,
    failure: null,
    outbox: null,
    ...overrides,
  };
}
