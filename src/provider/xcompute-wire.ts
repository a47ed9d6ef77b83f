/** The xcompute request body and create-task answer, exactly as the API page documents them. */
import { z } from 'zod';
import type { GenerationRequest } from './types.js';

/** The JSON body of `POST /v1/videos/generations` (snake_case, as in the seed). */
export interface XComputeSubmitBody {
  model: string;
  prompt: string;
  duration: number;
  resolution: string;
  prompt_optimizer: boolean;
  fast_pretreatment: boolean;
  watermark: boolean;
  first_frame_image?: string;
}

/** Builds the request body; `first_frame_image` is sent only when there is one. */
export function toSubmitBody(request: GenerationRequest): XComputeSubmitBody {
  const body: XComputeSubmitBody = {
    model: request.model,
    prompt: request.prompt,
    duration: request.duration,
    resolution: request.resolution,
    prompt_optimizer: request.promptOptimizer,
    fast_pretreatment: request.fastPretreatment,
    watermark: request.watermark,
  };
  if (request.firstFrameImage !== undefined) body.first_frame_image = request.firstFrameImage;
  return body;
}

const TaskEntry = z.object({
  task_id: z.union([z.string().trim().min(1), z.number().int()]),
  status: z.string().optional(),
});

/** Documented: `{code:200, data:[{status, task_id}]}`; tolerated: `data` as an object, or flat. */
const SubmitAnswer = z.union([
  z.object({ data: z.array(z.unknown()).min(1) }).transform((answer, ctx) => {
    const entry = TaskEntry.safeParse(answer.data[0]);
    if (!entry.success) {
      ctx.addIssue({ code: 'custom', message: 'data[0] has no task_id' });
      return z.NEVER;
    }
    return entry.data;
  }),
  z.object({ data: TaskEntry }).transform((answer) => answer.data),
  TaskEntry,
]);

/** Reads the task id from a create answer; `undefined` when there is none (a `bad_response`). */
export function readSubmitAnswer(body: unknown): { taskId: string; status: string } | undefined {
  const parsed = SubmitAnswer.safeParse(body);
  if (!parsed.success) return undefined;
  return { taskId: String(parsed.data.task_id), status: parsed.data.status ?? 'submitted' };
}
