import { PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/command.js';
import { inServers, localized, localizedChoice } from '../src/discord/localized.js';
import {
  CHANNEL_ACTIONS,
  EXPORT_PERIODS,
  INT_BOUNDS,
  ALLOWED_CHANNEL_TYPES,
  LOG_CHANNEL_TYPES,
  QUOTA_PERIODS,
  WORD_ACTIONS,
} from '../src/discord/options/quota-options.js';
import { runQuotaCommand } from '../src/discord/quota-flow.js';
import { POLICY_BOUNDS } from '../src/quota/policy.js';

const periodChoice = (v: (typeof QUOTA_PERIODS)[number]) => localizedChoice(v, `choice.period.${v}`);
const actionChoice = (v: (typeof CHANNEL_ACTIONS)[number]) => localizedChoice(v, `choice.action.${v}`);
const exportChoice = (v: (typeof EXPORT_PERIODS)[number]) => localizedChoice(v, `choice.export.${v}`);

export const data = inServers(localized(new SlashCommandBuilder(), 'quota', 'cmd.quota'))
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .addSubcommand((s) =>
    localized(s, 'set', 'cmd.quota.set')
      .addIntegerOption((o) =>
        localized(o, 'limit', 'opt.limit').setRequired(true).setMinValue(INT_BOUNDS.limit.min).setMaxValue(INT_BOUNDS.limit.max),
      )
      .addStringOption((o) =>
        localized(o, 'period', 'opt.period')
          .setRequired(true)
          .addChoices(...QUOTA_PERIODS.map(periodChoice)),
      )
      .addIntegerOption((o) =>
        localized(o, 'per_user', 'opt.per_user').setMinValue(INT_BOUNDS.per_user.min).setMaxValue(INT_BOUNDS.per_user.max),
      )
      .addIntegerOption((o) =>
        localized(o, 'max_concurrent', 'opt.max_concurrent')
          .setMinValue(INT_BOUNDS.max_concurrent.min)
          .setMaxValue(INT_BOUNDS.max_concurrent.max),
      ),
  )
  .addSubcommand((s) => localized(s, 'show', 'cmd.quota.show'))
  .addSubcommand((s) => localized(s, 'reset', 'cmd.quota.reset').addUserOption((o) => localized(o, 'user', 'opt.user')))
  .addSubcommand((s) =>
    localized(s, 'role', 'cmd.quota.role')
      .addRoleOption((o) => localized(o, 'role', 'opt.role').setRequired(true))
      .addIntegerOption((o) =>
        localized(o, 'per_user', 'opt.role_per_user')
          .setRequired(true)
          .setMinValue(INT_BOUNDS.per_user.min)
          .setMaxValue(INT_BOUNDS.per_user.max),
      ),
  )
  .addSubcommand((s) =>
    localized(s, 'channels', 'cmd.quota.channels')
      .addStringOption((o) =>
        localized(o, 'action', 'opt.channel_action')
          .setRequired(true)
          .addChoices(...CHANNEL_ACTIONS.map(actionChoice)),
      )
      .addChannelOption((o) => localized(o, 'channel', 'opt.channel').addChannelTypes(...ALLOWED_CHANNEL_TYPES)),
  )
  .addSubcommand((s) =>
    localized(s, 'banned-words', 'cmd.quota.banned-words')
      .addStringOption((o) =>
        localized(o, 'action', 'opt.word_action')
          .setRequired(true)
          .addChoices(...WORD_ACTIONS.map(actionChoice)),
      )
      .addStringOption((o) => localized(o, 'word', 'opt.word').setMinLength(1).setMaxLength(POLICY_BOUNDS.bannedWordLength)),
  )
  .addSubcommand((s) =>
    localized(s, 'log', 'cmd.quota.log')
      .addChannelOption((o) => localized(o, 'channel', 'opt.log_channel').addChannelTypes(...LOG_CHANNEL_TYPES))
      .addRoleOption((o) => localized(o, 'alert_role', 'opt.alert_role')),
  )
  .addSubcommand((s) =>
    localized(s, 'block', 'cmd.quota.block')
      .addUserOption((o) => localized(o, 'member', 'opt.member').setRequired(true))
      .addStringOption((o) => localized(o, 'reason', 'opt.reason').setMaxLength(POLICY_BOUNDS.blockReasonLength)),
  )
  .addSubcommand((s) =>
    localized(s, 'unblock', 'cmd.quota.unblock').addUserOption((o) => localized(o, 'member', 'opt.member').setRequired(true)),
  )
  .addSubcommand((s) =>
    localized(s, 'export', 'cmd.quota.export').addStringOption((o) =>
      localized(o, 'period', 'opt.export_period').addChoices(...EXPORT_PERIODS.map(exportChoice)),
    ),
  );

export default {
  data: data.toJSON(),
  firstAnswer: 'private',
  /** `/quota`: server managers only, every answer ephemeral. */
  async execute(interaction, ctx) {
    await runQuotaCommand(interaction, ctx);
  },
} satisfies Command;
