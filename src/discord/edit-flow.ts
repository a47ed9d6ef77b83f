import { MessageFlags, type ButtonInteraction, type Message, type ModalSubmitInteraction } from 'discord.js';
import { translatorFor } from '../i18n/index.js';
import type { Job } from '../jobs/job.js';
import { validateVideoOptions, type FirstFrameImage, type VideoOptionsInput } from '../video/request.js';
import { splitCameraCommand } from '../video/camera.js';
import type { DeferredReply } from './early-ack.js';
import type { BotContext } from './command.js';
import { readModalFields } from './options/modal-options.js';
import { liveVideoLink } from './render/history.js';
import { validationEmbed } from './render/validation.js';
import { videoModal } from './render/video-modal.js';
import { refusalEmbed } from './render/refusal.js';
import { acceptInputFor, launchJob } from './video-flow.js';

export const EDIT_FORM_PREFIX = 'edit:';
export const EXTEND_FORM_PREFIX = 'extend:';

/**
 * A form's custom id after its prefix: the finished job, then the id of the press that opened the
 * form (each opened form is one press; forms opened by older versions name the job only).
 */
const formCustomId = (prefix: string, jobId: string, formId: string) => `${prefix}${jobId}:${formId}`;

/** The finished job and the form's own id, read back from a form's custom id (after its prefix). */
export function formTarget(rest: string): { jobId: string; formId: string | null } {
  const [jobId = '', formId] = rest.split(':');
  return { jobId, formId: formId || null };
}

// A form must be Discord's first answer within 3 s: the job is looked up for its prompt this long at most.
const FORM_LOOKUP_MS = 1_000;

/**
 * The finished job's settings with another prompt. The form holds the prompt as the provider got
 * it, camera command first (`[推进]a fox`): a leading command of known moves is read back as the
 * new job's camera moves (shown in its settings, sent the same way), whatever the member did to it.
 */
function sameSettings(job: Job, prompt: string, image: FirstFrameImage | null): VideoOptionsInput {
  const r = job.request;
  const { camera, words } = splitCameraCommand(prompt);
  return {
    prompt: words,
    duration: r.duration,
    resolution: r.resolution,
    model: r.model,
    camera,
    image,
    promptOptimizer: r.promptOptimizer,
    fastPretreatment: r.fastPretreatment,
    watermark: r.watermark,
  };
}

async function jobOrSayGone(
  interaction: ButtonInteraction | ModalSubmitInteraction,
  jobId: string,
  ctx: BotContext,
): Promise<Job | undefined> {
  const job = await ctx.jobs.get(jobId);
  if (!job) await interaction.reply({ content: translatorFor(interaction.locale)('error.job_not_found'), flags: MessageFlags.Ephemeral });
  return job;
}

/**
 * The job behind a button, for the form it opens: `slow` when the store did not answer within
 * FORM_LOOKUP_MS (the form then opens without a prefilled prompt, and sending it looks the job up
 * again), else the job or undefined when it is gone (said privately, no form).
 */
async function jobForForm(interaction: ButtonInteraction, jobId: string, ctx: BotContext): Promise<Job | 'slow' | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<'slow'>((resolve) => {
    timer = setTimeout(() => resolve('slow'), FORM_LOOKUP_MS);
  });
  const lookup = ctx.jobs.get(jobId);
  const found = await Promise.race([lookup, slow]).finally(() => clearTimeout(timer));
  if (found === 'slow') {
    lookup.catch((err: unknown) => ctx.logger.warn({ err, jobId }, 'late job lookup for a form failed'));
    return 'slow';
  }
  if (!found) await interaction.reply({ content: translatorFor(interaction.locale)('error.job_not_found'), flags: MessageFlags.Ephemeral });
  return found;
}

const formPrompt = (job: Job | 'slow') => (job === 'slow' ? {} : { prompt: job.request.prompt });

/** ✏️ under a finished video: a form holding the prompt exactly as the provider received it. */
export async function openEditForm(interaction: ButtonInteraction, jobId: string, ctx: BotContext): Promise<void> {
  const job = await jobForForm(interaction, jobId, ctx);
  if (!job) return;
  await interaction.showModal(
    videoModal({
      customId: formCustomId(EDIT_FORM_PREFIX, jobId, interaction.id),
      title: 'modal.edit.title',
      locale: interaction.locale,
      ...formPrompt(job),
    }),
  );
}

/**
 * The edited prompt: a new job with the same settings, through the quota like Regenerate.
 * Resolves to the new job's id once it is in line, null when it was refused (the member was told).
 */
export async function submitEditForm(interaction: ModalSubmitInteraction, jobId: string, ctx: BotContext): Promise<string | null> {
  const job = await jobOrSayGone(interaction, jobId, ctx);
  if (!job) return null;
  const checked = validateVideoOptions(sameSettings(job, readModalFields(interaction).prompt, job.request.image));
  if (!checked.ok) {
    await interaction.reply({ embeds: [validationEmbed(checked.problems, interaction.locale)], flags: MessageFlags.Ephemeral });
    return null;
  }
  return launchJob(interaction, checked.request, ctx);
}

/** How long after Discord created an Extend interaction the ffmpeg check may still be waited for (ms). */
const FRAMES_WAIT_UNTIL_AGE_MS = 1_200;

/**
 * Whether Extend can run: waits for the start's ffmpeg check (a press or form that arrives while
 * the bot connects is handled before it answered) until the interaction is
 * {@link FRAMES_WAIT_UNTIL_AGE_MS} old, so the form still opens within Discord's 3 s (a form
 * cannot be deferred) after the job lookup. `starting`: the check has not answered yet (ffmpeg
 * may well be installed); `absent`: it answered that ffmpeg does not run.
 */
async function framesState(ctx: BotContext, createdTimestamp: number): Promise<'ready' | 'starting' | 'absent'> {
  if (ctx.frames) return 'ready';
  if (!ctx.framesChecked) return 'absent';
  let timer: NodeJS.Timeout | undefined;
  // Capped: the interaction's time comes from Discord's clock, which ours may lag.
  const budget = Math.min(FRAMES_WAIT_UNTIL_AGE_MS, Math.max(0, createdTimestamp + FRAMES_WAIT_UNTIL_AGE_MS - Date.now()));
  const answered = await Promise.race([
    ctx.framesChecked.then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), budget))),
  ]);
  clearTimeout(timer);
  if (ctx.frames) return 'ready';
  return answered ? 'absent' : 'starting';
}

/** ⏩ under a finished video: the same prompt, editable, for a new video that starts where this one ends. */
export async function openExtendForm(interaction: ButtonInteraction, jobId: string, ctx: BotContext): Promise<void> {
  const frames = await framesState(ctx, interaction.createdTimestamp);
  if (frames !== 'ready') {
    const t = translatorFor(interaction.locale);
    await interaction.reply({
      content: t(frames === 'starting' ? 'extend.starting' : 'extend.unavailable'),
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  const job = await jobForForm(interaction, jobId, ctx);
  if (!job) return;
  await interaction.showModal(
    videoModal({
      customId: formCustomId(EXTEND_FORM_PREFIX, jobId, interaction.id),
      title: 'modal.extend.title',
      locale: interaction.locale,
      ...formPrompt(job),
    }),
  );
}

/** Where the finished video can be fetched: the file in the message the button is on, else the provider's link while valid. */
function videoSource(message: Message | null, job: Job, now: number): string | undefined {
  const attached = message
    ? [...message.attachments.values()].find((a) => (a.contentType ?? '').startsWith('video/') || a.name.endsWith('.mp4'))
    : undefined;
  return attached?.url ?? liveVideoLink(job, now)?.url;
}

/**
 * The Extend form was sent: the prompt is checked, the reply is acknowledged publicly (taking the
 * frame may take longer than Discord's 3 s), the video's last frame is taken and becomes the new
 * job's first frame, sent as a data URI. Nothing is reserved until the frame is in hand.
 * Resolves to the new job's id once it is in line, null when it was refused (the member was told).
 */
export async function submitExtendForm(interaction: ModalSubmitInteraction, jobId: string, ctx: BotContext): Promise<string | null> {
  const t = translatorFor(interaction.locale);
  const job = await jobOrSayGone(interaction, jobId, ctx);
  if (!job) return null;
  const prompt = readModalFields(interaction).prompt;
  // The prompt alone first, so a mistake is answered before any work; the frame is checked below.
  const promptProblems = (() => {
    const checked = validateVideoOptions({ ...sameSettings(job, prompt, null), model: 'MiniMax-Hailuo-2.3' });
    return checked.ok ? [] : checked.problems;
  })();
  if (promptProblems.length > 0) {
    await interaction.reply({ embeds: [validationEmbed(promptProblems, interaction.locale)], flags: MessageFlags.Ephemeral });
    return null;
  }
  const source = videoSource(interaction.message, job, ctx.clock());
  const frames = await framesState(ctx, interaction.createdTimestamp);
  if (frames !== 'ready' || !ctx.frames || !source) {
    const why = frames === 'starting' ? 'extend.starting' : frames === 'absent' ? 'extend.unavailable' : 'extend.no_video';
    await interaction.reply({ content: t(why), flags: MessageFlags.Ephemeral });
    return null;
  }
  // Taking the frame costs the bot a download and an ffmpeg run: a member the quota would refuse
  // (blocked, over budget, at the cap) is told first, with the answer /video gives.
  const refusal = await ctx.jobs.precheck(acceptInputFor(interaction, { ...job.request, userPrompt: prompt, prompt }));
  if (refusal) {
    await interaction.reply({ embeds: [refusalEmbed(refusal, interaction.locale)], flags: MessageFlags.Ephemeral });
    return null;
  }
  const deferred: DeferredReply = await interaction.deferReply({ withResponse: true });
  const refuse = async (payload: { content?: string; embeds?: ReturnType<typeof validationEmbed>[] }) => {
    await interaction.deleteReply().catch(() => undefined);
    await interaction.followUp({ ...payload, flags: MessageFlags.Ephemeral });
  };
  const frame = await ctx.frames.extract(source);
  if (!frame.ok) {
    ctx.logger.warn({ jobId: job.id, reason: frame.reason }, 'could not take the last frame for Extend');
    await refuse({ content: t(frame.reason === 'busy' ? 'extend.busy' : 'extend.no_frame') });
    return null;
  }
  const checked = validateVideoOptions(sameSettings(job, prompt, frame.image));
  if (!checked.ok) {
    await refuse({ embeds: [validationEmbed(checked.problems, interaction.locale)] });
    return null;
  }
  return launchJob(interaction, checked.request, ctx, { deferredMessageId: deferred.resource?.message?.id ?? null });
}
