import { AttachmentBuilder, MessageFlags, PermissionFlagsBits, type APIEmbed, type ChatInputCommandInteraction } from 'discord.js';
import type { PolicyChangeResult } from '../quota/quota-admin.js';
import type { QuotaService } from '../quota/quota-service.js';
import { exportFilename, ledgerCsv } from '../quota/ledger-csv.js';
import { periodEnd } from '../quota/periods.js';
import type { BotContext } from './command.js';
import { displayNames } from './display-names.js';
import { serverOf, memberRoleIds } from './interaction-context.js';
import { readQuotaOptions, type QuotaAction } from './options/quota-options.js';
import { blockEmbed, exportEmbed, exportTooLargeEmbed, logChannelEmbed, unblockEmbed } from './render/admin-answers.js';
import {
  bannedWordsEmbed,
  changeRefusalEmbed,
  channelsEmbed,
  notAdminEmbed,
  optionProblemsEmbed,
  policySavedEmbed,
  resetEmbed,
  roleOverrideEmbed,
} from './render/quota-admin.js';
import { quotaShowEmbed } from './render/quota-show.js';
import { topMembers, usageChartAttachment } from './render/usage-chart.js';

// Discord's upload limit for servers without boosts, when the interaction does not say.
const DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024;

/** A private answer: embeds, and a file for `show` (the chart) and `export` (the CSV). */
interface Answer {
  content?: string;
  embeds?: APIEmbed[];
  files?: AttachmentBuilder[];
}

const answer = (interaction: ChatInputCommandInteraction, payload: Answer) =>
  interaction.reply({ ...payload, flags: MessageFlags.Ephemeral });

/** Calls the quota service for one action and renders its result in the admin's language. */
async function run(action: QuotaAction, guildId: string, interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<Answer> {
  const result = await runEmbed(action, guildId, interaction, ctx);
  return isAnswer(result) ? result : { embeds: [result] };
}

// Only the answers with a file (show, export) are built whole; the rest are one embed.
const isAnswer = (value: APIEmbed | Answer): value is Answer => 'files' in value;

async function runEmbed(
  action: QuotaAction,
  guildId: string,
  interaction: ChatInputCommandInteraction,
  ctx: BotContext,
): Promise<APIEmbed | Answer> {
  const { locale } = interaction;
  const q = ctx.quota;
  const actor = interaction.user.id;
  const changed = (result: PolicyChangeResult, render: (r: Extract<PolicyChangeResult, { ok: true }>) => APIEmbed): APIEmbed => {
    if (!result.ok) return changeRefusalEmbed(result, locale);
    // Who changed what, for the operator: admins may ask why their budget moved.
    if (result.changed) ctx.logger.info({ guildId, userId: interaction.user.id, action }, 'quota policy changed');
    return render(result);
  };
  switch (action.sub) {
    case 'set': {
      const { limit, period, perUser, maxConcurrent } = action;
      const patch = { limit, period, ...(perUser !== null && { perUser }), ...(maxConcurrent !== null && { maxConcurrent }) };
      const saved = await q.setPolicy(guildId, patch, actor);
      return changed(saved, (r) => policySavedEmbed(r.policy, r.changed, locale, q.perMemberAtOnce(r.policy)));
    }
    case 'show': {
      const [policy, standing, spenders, timeline, logFailure] = await Promise.all([
        q.getPolicy(guildId),
        q.memberStanding(guildId, interaction.user.id, memberRoleIds(interaction)),
        q.topSpenders(guildId, 5),
        q.spendTimeline(guildId),
        ctx.adminLog.health(guildId),
      ]);
      const ceiling = ctx.globalQuotaLimit;
      const global = ceiling === undefined ? null : { limit: ceiling, resetsAt: periodEnd('day', ctx.clock()) };
      const names = await displayNames(interaction, topMembers(timeline));
      return {
        embeds: [quotaShowEmbed({ policy, standing, spenders, global, logFailure: logFailure ?? null }, locale)],
        files: [usageChartAttachment(timeline, { kind: 'guild', names }, locale)],
      };
    }
    case 'log': {
      const log = action.channelId === null ? null : { channelId: action.channelId, alertRoleId: action.alertRoleId, locale };
      const result = await q.setLogChannel(guildId, log, actor);
      if (!result.ok) return changeRefusalEmbed(result, locale);
      // The first entry is posted now: wait for it briefly, so a channel the bot cannot write to is reported at once.
      await ctx.adminLog.idle(guildId);
      const failure = log ? await ctx.adminLog.health(guildId) : undefined;
      return logChannelEmbed(result.policy.log, failure?.channelId === log?.channelId ? failure : undefined, locale);
    }
    case 'block': {
      const result = await q.blockMember(guildId, action.userId, action.reason, actor);
      return result.ok ? blockEmbed(action.userId, result.changed, locale) : changeRefusalEmbed(result, locale);
    }
    case 'unblock': {
      const result = await q.unblockMember(guildId, action.userId, actor);
      return result.ok ? unblockEmbed(action.userId, result.changed, locale) : changeRefusalEmbed(result, locale);
    }
    case 'export': {
      const ledger = await q.periodLedger(guildId, action.period);
      const csv = Buffer.from(ledgerCsv(ledger.entries), 'utf8');
      // Discord refuses a file over the server's upload limit; say so rather than fail.
      const limit = interaction.attachmentSizeLimit ?? DEFAULT_UPLOAD_LIMIT;
      if (csv.length > limit) return exportTooLargeEmbed(csv.length, limit, locale);
      return {
        embeds: [exportEmbed(ledger, locale)],
        files: [new AttachmentBuilder(csv, { name: exportFilename(guildId, ledger.start) })],
      };
    }
    case 'reset': {
      // A slot held for a job that already ended (or vanished) is settled first, so a reset never keeps it.
      await ctx.jobs
        .reconcile(guildId)
        .catch((err: unknown) => ctx.logger.warn({ err, guildId }, 'could not reconcile reservations before the reset'));
      const result = await q.resetUsage(guildId, action.userId ?? undefined, actor);
      ctx.logger.info({ guildId, userId: interaction.user.id, action, credits: result.credits }, 'quota usage reset');
      return resetEmbed(action.userId, result.credits, locale);
    }
    case 'role':
      return changed(await q.setRoleOverride(guildId, action.roleId, action.perUser, actor), (r) =>
        roleOverrideEmbed(action.roleId, r.policy, locale),
      );
    case 'channels': {
      const channelId = action.action === 'add' || action.action === 'remove' ? action.channelId : null;
      return changed(await changeChannels(q, guildId, action, actor), (r) =>
        channelsEmbed(action.action, channelId, r.policy, r.changed, locale),
      );
    }
    case 'banned-words': {
      const word = action.action === 'list' ? null : action.word;
      return changed(await changeWords(q, guildId, action, actor), (r) =>
        bannedWordsEmbed(action.action, word, r.policy, r.changed, locale),
      );
    }
  }
}

// Listing changes nothing; it answers like a change that found the policy already so.
const unchanged = async (q: QuotaService, guildId: string): Promise<PolicyChangeResult> => ({
  ok: true,
  policy: await q.getPolicy(guildId),
  changed: false,
});

function changeChannels(
  q: QuotaService,
  guildId: string,
  action: Extract<QuotaAction, { sub: 'channels' }>,
  actor: string,
): Promise<PolicyChangeResult> {
  switch (action.action) {
    case 'add':
      return q.addChannel(guildId, action.channelId, actor);
    case 'remove':
      return q.removeChannel(guildId, action.channelId, actor);
    case 'clear':
      return q.setChannels(guildId, [], actor);
    case 'list':
      return unchanged(q, guildId);
  }
}

function changeWords(
  q: QuotaService,
  guildId: string,
  action: Extract<QuotaAction, { sub: 'banned-words' }>,
  actor: string,
): Promise<PolicyChangeResult> {
  switch (action.action) {
    case 'add':
      return q.addBannedWord(guildId, action.word, actor);
    case 'remove':
      return q.removeBannedWord(guildId, action.word, actor);
    case 'list':
      return unchanged(q, guildId);
  }
}

/**
 * `/quota`: server managers only (Manage Server, checked again here: `default_member_permissions`
 * is only a default admins can change), every answer ephemeral. Reads the options, calls the quota
 * service for one action and answers with its result in the admin's language; a bad option gets
 * the list of what to change, and nothing is changed.
 */
export async function runQuotaCommand(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
  const guildId = serverOf(interaction);
  if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) {
    await answer(interaction, { embeds: [notAdminEmbed(interaction.locale)] });
    return;
  }
  const read = readQuotaOptions(interaction);
  if (!read.ok) {
    await answer(interaction, { embeds: [optionProblemsEmbed(read.problems, interaction.locale)] });
    return;
  }
  await answer(interaction, await run(read.action, guildId, interaction, ctx));
}
