import type { APIEmbed } from 'discord.js';
import type { MessageKey, Translator } from '../../i18n/index.js';
import type { MemberStanding } from '../../quota/quota-standing.js';
import { CAMERA_MOVES, type CameraMove } from '../../video/camera.js';
import { VIDEO_OPTION_NAMES } from '../../video/request.js';
import { counted, relativeTime } from './format.js';

const COLOR_HELP = 0x5865f2;

const CAMERA_EXAMPLES: Record<CameraMove['en'], MessageKey> = {
  'Truck left': 'help.camera.truck_left',
  'Truck right': 'help.camera.truck_right',
  'Pan left': 'help.camera.pan_left',
  'Pan right': 'help.camera.pan_right',
  'Push in': 'help.camera.push_in',
  'Pull out': 'help.camera.pull_out',
  'Pedestal up': 'help.camera.pedestal_up',
  'Pedestal down': 'help.camera.pedestal_down',
  'Tilt up': 'help.camera.tilt_up',
  'Tilt down': 'help.camera.tilt_down',
  'Zoom in': 'help.camera.zoom_in',
  'Zoom out': 'help.camera.zoom_out',
  Shake: 'help.camera.shake',
  'Tracking shot': 'help.camera.tracking_shot',
  'Static shot': 'help.camera.static_shot',
};

/** The quota in one line: the server's budget, and the member's own when the server sets one. */
function quotaLine(standing: MemberStanding, tr: Translator): string {
  if (standing.guildLimit === 0) return tr('help.quota.off');
  const guild = {
    remaining: standing.guildRemaining,
    limitCredits: counted(tr, 'credits', standing.guildLimit),
    period: tr(`help.period.${standing.period}`),
    resets: relativeTime(standing.resetsAt),
  };
  if (standing.limit === null || standing.remaining === null) return tr('help.quota.guild', guild);
  return tr('help.quota.guild_member', {
    ...guild,
    memberRemaining: standing.remaining,
    memberCredits: counted(tr, 'credits', standing.limit),
  });
}

/**
 * What /help shows, in two embeds that stay well inside Discord's limits (description 4096,
 * field 1024, 6000 in all): the bot and its options, then the 15 camera moves with an example each.
 * `standing` is null in DMs and wherever the bot is not installed: no quota line there.
 */
export function helpEmbeds(tr: Translator, standing: MemberStanding | null): APIEmbed[] {
  const video = `/${tr('cmd.video.name')}`;
  const options = VIDEO_OPTION_NAMES.map((option) => {
    const params = { name: tr(`opt.${option}.name`), description: tr(`opt.${option}.description`) };
    return tr(option === 'prompt' ? 'help.options.required_line' : 'help.options.line', params);
  });
  const fields = [
    { name: tr('help.options.title', { video }), value: options.join('\n') },
    { name: tr('help.image.title'), value: tr('help.image.body', { image: tr('opt.image.name') }) },
    ...(standing ? [{ name: tr('help.quota.title'), value: quotaLine(standing, tr) }] : []),
  ];
  const moves = CAMERA_MOVES.map((move) => tr('help.camera.line', { en: move.en, zh: move.zh, example: tr(CAMERA_EXAMPLES[move.en]) }));
  return [
    { color: COLOR_HELP, title: tr('help.title'), description: tr('help.about', { video }), fields },
    {
      color: COLOR_HELP,
      title: tr('help.camera.title'),
      description: `${tr('help.camera.intro', { camera: tr('opt.camera.name') })}\n\n${moves.join('\n')}`,
    },
  ];
}
