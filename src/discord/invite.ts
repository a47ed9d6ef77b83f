import { PermissionFlagsBits } from 'discord.js';

/**
 * What the bot needs in a channel: see it, answer and edit its replies (Send Messages; in threads,
 * forum and media posts Send Messages in Threads, once a long job's reply is reached through the
 * channel after its interaction token expired), show the progress and result embeds (Embed Links),
 * upload the video (Attach Files) and find its earlier reply again after a restart (Read Message
 * History). Nothing more, so an invite asks for nothing an admin would have to think twice about.
 */
export const BOT_PERMISSIONS: bigint =
  PermissionFlagsBits.ViewChannel |
  PermissionFlagsBits.SendMessages |
  PermissionFlagsBits.SendMessagesInThreads |
  PermissionFlagsBits.EmbedLinks |
  PermissionFlagsBits.AttachFiles |
  PermissionFlagsBits.ReadMessageHistory;

/**
 * The URL that adds the bot to a server with its slash commands and {@link BOT_PERMISSIONS}.
 *
 * @param applicationId the application's id (Developer Portal → General Information → Application ID).
 */
export function inviteUrl(applicationId: string): string {
  return `https://discord.com/oauth2/authorize?client_id=${encodeURIComponent(applicationId)}&scope=bot%20applications.commands&permissions=${BOT_PERMISSIONS.toString()}`;
}
