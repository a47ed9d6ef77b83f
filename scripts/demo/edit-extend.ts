/**
 * The demo's ✏️ Edit and ⏩ Extend: each opens a form under the finished video; sending it starts
 * a new video through the quota, with the same settings.
 */
import type { FakeDiscord, FakeMessage, FakeUserSpec } from '../../test/fakes/discord/index.js';
import type { FakeProvider } from '../../test/fakes/provider.js';
import { formatBytes, renderModal, type RenderContext } from './render.js';
import type { Style } from './style.js';

/** What a step of the demo uses of the session: the fakes, the member, and how the transcript is written. */
export interface DemoSession {
  discord: FakeDiscord;
  provider: FakeProvider;
  member: FakeUserSpec;
  botName: string;
  guildId: string;
  channelId: string;
  style: Style;
  /** Whether the bot offers Extend (it runs ffmpeg). */
  extendOffered: boolean;
  /** A chat line (or lines) from `who`. */
  chat(at: number, who: string, paint: (s: string) => string, lines: string[]): void;
  narrate(text: string): void;
  write(line: string): void;
  renderContext(): RenderContext;
  /** Prints each new state of an interaction's reply when called. */
  follow(interactionId: string): () => void;
  /** Waits for `probe`, calling `pump` meanwhile. */
  until<T>(pump: () => void, probe: () => T | undefined | null | false, what: string): Promise<T>;
  pause(pump: () => void, ms: number): Promise<void>;
}

/** What the demo's Edit and Extend started: how many new videos are in the making. */
export interface FormsShown {
  started: number;
}

const promptOf = (body: unknown) => String((body as { prompt?: unknown }).prompt);

/**
 * Presses `button` under `video`, shows the form that opens and sends it with `prompt`; resolves
 * once the new job reached the fake video API.
 */
async function sendForm(session: DemoSession, video: FakeMessage, button: 'edit' | 'extend', prompt: string) {
  const { discord, provider, style } = session;
  const customId = new RegExp(`"custom_id":"(video:${button}:[^"]+)"`).exec(JSON.stringify(video.components))?.[1];
  if (!customId) throw new Error(`the finished video has no ${button === 'edit' ? 'Edit' : 'Extend'} button`);
  const where = { user: session.member, guildId: session.guildId, channelId: session.channelId };
  const label = button === 'edit' ? '[✏️ Edit]' : '[⏩ Extend]';
  session.chat(Date.now(), session.member.username, style.member, [`${style.dim('presses')} ${label}`]);
  const opened = discord.dispatchComponentInteraction({ customId, messageId: video.id, ...where });
  const modal = await session.until(
    () => undefined,
    () => discord.modalShown(opened.id),
    `the ${button} form to open`,
  );
  session.chat(Date.now(), session.botName, style.bot, [
    style.dim(`(a form opens, for ${session.member.username} only)`),
    ...renderModal(modal, session.renderContext()),
  ]);
  session.chat(Date.now(), session.member.username, style.member, [`${style.dim('sends the form with')} prompt: ${prompt}`]);
  const sent = discord.submitModal({ interactionId: opened.id, values: { prompt } });
  const pump = session.follow(sent.id);
  const submission = await session.until(
    pump,
    () => provider.submissions.find((s) => s.taskId && promptOf(s.body) === prompt),
    `the ${button === 'edit' ? 'edited' : 'extended'} video to reach the fake video API`,
  );
  return { sent, pump, submission };
}

/**
 * Edit under `video`, then Extend where the bot offers it (ffmpeg runs), each up to its new
 * video's first progress reply.
 */
export async function showEditAndExtend(session: DemoSession, video: FakeMessage): Promise<FormsShown> {
  const { discord } = session;
  const narrate = (text: string) => session.narrate(text);
  const firstProgress = async (interactionId: string, pump: () => void) => {
    await session.until(
      pump,
      () => {
        const reply = discord.originalResponse(interactionId);
        return reply && (reply.flags & 128) === 0 && reply.embeds.length > 0;
      },
      "the new video's first progress reply",
    );
    await session.pause(pump, 300);
  };

  narrate('✏️ Edit opens a form with the prompt exactly as the provider got it (camera command included)');
  const edited = await sendForm(session, video, 'edit', '[推进]a red fox trotting through fresh snow at dusk');
  narrate(`fake xcompute API: received task ${edited.submission.taskId ?? ''}, the edited prompt with the same settings`);
  await firstProgress(edited.sent.id, edited.pump);

  session.write('');
  if (!session.extendOffered) {
    narrate('⏩ Extend is not offered here: this machine cannot run ffmpeg (install it, or set FFMPEG_PATH)');
    return { started: 1 };
  }
  narrate('⏩ Extend makes a new video that starts from the last frame of this one (the bot takes it with ffmpeg)');
  const extended = await sendForm(session, video, 'extend', 'the fox leaps into a snowdrift');
  const frame = (extended.submission.body as { first_frame_image?: string }).first_frame_image ?? '';
  const jpeg = Buffer.from(frame.split(',')[1] ?? '', 'base64');
  narrate(
    `fake xcompute API: received task ${extended.submission.taskId ?? ''}; its first frame is the video's last frame (a JPEG of ${formatBytes(jpeg.length)}, sent as a data: URI)`,
  );
  await firstProgress(extended.sent.id, extended.pump);
  return { started: 2 };
}
