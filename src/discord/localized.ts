import { ApplicationIntegrationType, InteractionContextType, type SharedNameAndDescription } from 'discord.js';
import { t, type MessageKey } from '../i18n/index.js';

/** The catalogue prefixes that have both a `.name` and a `.description` (`cmd.video`, `opt.prompt`). */
export type NamedKey = {
  [Key in MessageKey]: Key extends `${infer Prefix}.name` ? (`${Prefix}.description` extends MessageKey ? Prefix : never) : never;
}[MessageKey];

/** The catalogue prefixes with a `.name` only (context-menu commands have no description). */
export type NameOnlyKey = { [Key in MessageKey]: Key extends `${infer Prefix}.name` ? Prefix : never }[MessageKey];

/**
 * Names a command, subcommand or option the one way: `name` is what Discord registers (the
 * contract other tools call it by), the English description and every zh-CN localization come
 * from the catalogue entries `<key>.name` and `<key>.description` (Discord's docs, "Localization":
 * name_localizations / description_localizations).
 *
 * @example localized(option, 'prompt', 'opt.prompt')
 */
export function localized<T extends SharedNameAndDescription>(builder: T, name: string, key: NamedKey): T {
  const nameKey = `${key}.name` as MessageKey;
  const descriptionKey = `${key}.description` as MessageKey;
  return builder
    .setName(name)
    .setNameLocalizations({ 'zh-CN': t('zh-CN', nameKey) })
    .setDescription(t('en', descriptionKey))
    .setDescriptionLocalizations({ 'zh-CN': t('zh-CN', descriptionKey) });
}

/** A context-menu command's name (English from the catalogue, as members see it) and its zh-CN localization. */
export function localizedName<T extends { setName(name: string): T; setNameLocalizations(names: Record<string, string>): T }>(
  builder: T,
  key: NameOnlyKey,
): T {
  const nameKey = `${key}.name` as MessageKey;
  return builder.setName(t('en', nameKey)).setNameLocalizations({ 'zh-CN': t('zh-CN', nameKey) });
}

/** A choice of an option: `value` is what the bot reads, its label from the catalogue in both languages. */
export function localizedChoice<V extends string | number>(value: V, key: MessageKey, params?: Record<string, string | number>) {
  return { name: t('en', key, params), name_localizations: { 'zh-CN': t('zh-CN', key, params) }, value };
}

/**
 * Where a command can be used: installed to a server (not a user app), in that server's channels;
 * `orDm` also in a DM with the bot (/help needs no server).
 */
export function inServers<
  T extends { setContexts(...contexts: InteractionContextType[]): T; setIntegrationTypes(...types: ApplicationIntegrationType[]): T },
>(builder: T, options: { orDm?: boolean } = {}): T {
  const contexts = options.orDm ? [InteractionContextType.Guild, InteractionContextType.BotDM] : [InteractionContextType.Guild];
  return builder.setContexts(...contexts).setIntegrationTypes(ApplicationIntegrationType.GuildInstall);
}
