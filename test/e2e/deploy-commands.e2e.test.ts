import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermissionFlagsBits } from 'discord.js';
import { deployCommands } from '../../src/deploy-commands.js';
import { BOT_PERMISSIONS } from '../../src/discord/invite.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';

describe('npm run deploy-commands', () => {
  let discord: FakeDiscord;
  beforeAll(async () => {
    discord = await startFakeDiscord();
  });
  afterAll(async () => {
    await discord?.close();
  });

  it('GIVEN DISCORD_DEV_GUILD_ID WHEN run THEN every command is bulk-overwritten to that server only', async () => {
    const result = await deployCommands({
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_DEV_GUILD_ID: discord.defaultGuildId,
    });
    expect(result.scope).toBe(`guild ${discord.defaultGuildId}`);
    expect(discord.registeredCommands.global).toHaveLength(0);
    const names = (discord.registeredCommands.guilds.get(discord.defaultGuildId) ?? []).map((c) => c.name);
    expect(names).toContain('video');
    expect(discord.requests.some((r) => r.method === 'GET' && r.path === '/v10/applications/@me')).toBe(true);
  });

  it('GIVEN no dev server WHEN run THEN the commands are registered globally, with zh-CN localizations and the /video options', async () => {
    await deployCommands({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl });
    const video = discord.registeredCommands.global.find((c) => c.name === 'video') as Record<string, unknown> | undefined;
    expect(video).toBeDefined();
    expect((video?.name_localizations as Record<string, string>)['zh-CN']).toBeTruthy();
    const options =
      (video?.options as Array<{
        name: string;
        type: number;
        required?: boolean;
        choices?: Array<{ value: unknown }>;
        autocomplete?: boolean;
      }>) ?? [];
    expect(options.map((o) => o.name)).toEqual([
      'prompt',
      'duration',
      'resolution',
      'image',
      'camera',
      'model',
      'prompt_optimizer',
      'fast_pretreatment',
      'watermark',
    ]);
    expect(options.find((o) => o.name === 'prompt')?.required).toBe(true);
    expect(options.find((o) => o.name === 'duration')?.choices?.map((c) => c.value)).toEqual([6, 10]);
    expect(options.find((o) => o.name === 'resolution')?.choices?.map((c) => c.value)).toEqual(['768p', '1080p']);
    expect(options.find((o) => o.name === 'image')?.type).toBe(11);
    expect(options.find((o) => o.name === 'camera')?.autocomplete).toBe(true);
    expect(options.find((o) => o.name === 'model')?.choices?.map((c) => c.value)).toEqual([
      'MiniMax-Hailuo-2.3',
      'MiniMax-Hailuo-2.3-Fast',
    ]);
  });

  it('GIVEN a missing token WHEN run THEN it says which variable is missing', async () => {
    await expect(deployCommands({ DISCORD_API_URL: discord.apiUrl })).rejects.toThrow(/DISCORD_TOKEN/);
  });

  it('GIVEN a registration WHEN it is done THEN it gives the invite URL with this application id and the permissions 274878024704', async () => {
    const result = await deployCommands({
      DISCORD_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_DEV_GUILD_ID: discord.defaultGuildId,
    });
    expect(result.applicationId).toBe(discord.applicationId);
    expect(result.inviteUrl).toBe(
      `https://discord.com/oauth2/authorize?client_id=${discord.applicationId}&scope=bot%20applications.commands&permissions=274878024704`,
    );
  });

  it('asks for exactly View Channel, Send Messages, Send Messages in Threads, Embed Links, Attach Files and Read Message History (274878024704, from discord.js’ PermissionFlagsBits)', () => {
    const { ViewChannel, SendMessages, SendMessagesInThreads, EmbedLinks, AttachFiles, ReadMessageHistory } = PermissionFlagsBits;
    expect(BOT_PERMISSIONS).toBe(ViewChannel | SendMessages | SendMessagesInThreads | EmbedLinks | AttachFiles | ReadMessageHistory);
    expect(BOT_PERMISSIONS).toBe(274878024704n);
  });

  it('GIVEN a token Discord refuses WHEN run THEN it names DISCORD_TOKEN and registers nothing', async () => {
    const before = discord.registeredCommands.global.length;
    await expect(deployCommands({ DISCORD_TOKEN: 'not-the-token', DISCORD_API_URL: discord.apiUrl })).rejects.toThrow(
      /DISCORD_TOKEN was refused/,
    );
    expect(discord.registeredCommands.global).toHaveLength(before);
  });
});
