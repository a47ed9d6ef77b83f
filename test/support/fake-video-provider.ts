import type { GenerationRequest, ProviderError, StatusResult, SubmitResult, VideoProvider } from '../../src/provider/types.js';

/** A plain request for tests that only count calls: default model, 6 s, 768p. */
export const sampleGenerationRequest: GenerationRequest = {
  model: 'MiniMax-Hailuo-2.3',
  prompt: 'a fox',
  duration: 6,
  resolution: '768p',
  promptOptimizer: true,
  fastPretreatment: false,
  watermark: false,
};

/** An in-memory provider: records when each call arrived, answers from a script or succeeds. */
export interface ScriptedProvider extends VideoProvider {
  submits: number[];
  polls: number[];
  /** The next submit answers with this error. */
  failNextSubmit(error: ProviderError): void;
  failNextStatus(error: ProviderError): void;
  /** Status answers by task id; default "Success" with a video URL. */
  statusOf: (taskId: string) => StatusResult;
}

/** Creates a {@link ScriptedProvider}; task ids are `task-1`, `task-2`, … */
export function scriptedProvider(): ScriptedProvider {
  let next = 0;
  let submitError: ProviderError | undefined;
  let statusError: ProviderError | undefined;
  const provider: ScriptedProvider = {
    submits: [],
    polls: [],
    failNextSubmit: (error) => (submitError = error),
    failNextStatus: (error) => (statusError = error),
    statusOf: (taskId) => ({
      ok: true,
      status: { phase: 'succeeded', rawStatus: 'Success', progress: 100, videoUrl: `http://video.test/${taskId}.mp4` },
    }),
    async submit(): Promise<SubmitResult> {
      provider.submits.push(Date.now());
      if (submitError) {
        const error = submitError;
        submitError = undefined;
        return { ok: false, error };
      }
      next += 1;
      return { ok: true, taskId: `task-${next}`, status: 'Queueing' };
    },
    async getStatus(taskId): Promise<StatusResult> {
      provider.polls.push(Date.now());
      if (statusError) {
        const error = statusError;
        statusError = undefined;
        return { ok: false, error };
      }
      return provider.statusOf(taskId);
    },
    close: async () => undefined,
  };
  return provider;
}

/** The largest number of `times` that fall within any stretch shorter than `windowMs`. */
export function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i += 1) {
    while ((sorted[i] ?? 0) - (sorted[j] ?? 0) >= windowMs) j += 1;
    best = Math.max(best, i - j + 1);
  }
  return best;
}
