import {
  ChatInputCommandInteraction,
  Client,
  GatewayIntentBits,
  GuildMember,
  type APIChatInputApplicationCommandInteraction,
} from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { memberRoleIds } from '../../src/discord/interaction-context.js';

// The member's roles decide a server's role quota overrides. discord.js hands the interaction's
// member as a GuildMember when the server is in its cache, and as Discord's raw member object
// when it is not (an interaction that arrives before the server's GUILD_CREATE, as while the bot
// connects). Both are built here by discord.js itself from an INTERACTION_CREATE payload.
const GUILD = '100000000000000001';
const payload = (roles: string[]) =>
  ({
    id: '200000000000000001',
    application_id: '300000000000000001',
    type: 2,
    token: 'interaction-token',
    version: 1,
    locale: 'en-US',
    app_permissions: '0',
    guild_id: GUILD,
    channel_id: '400000000000000001',
    entitlements: [],
    authorizing_integration_owners: { 0: GUILD },
    context: 0,
    data: { id: '500000000000000001', name: 'video', type: 1, options: [] },
    member: {
      user: { id: '600000000000000001', username: 'member', discriminator: '0', global_name: null, avatar: null },
      roles,
      permissions: '0',
      joined_at: '2026-01-01T00:00:00.000Z',
      deaf: false,
      mute: false,
      flags: 0,
    },
  }) as unknown as APIChatInputApplicationCommandInteraction;

describe("a member's role ids", () => {
  let client: Client | undefined;
  afterEach(async () => {
    await client?.destroy();
    client = undefined;
  });
  const interaction = (roles: string[], cached: boolean) => {
    client = new Client({ intents: [GatewayIntentBits.Guilds] });
    // What discord.js does with a GUILD_CREATE and an INTERACTION_CREATE (both members are internal).
    const guilds = client.guilds as unknown as { _add(data: unknown): unknown };
    if (cached) guilds._add({ id: GUILD, name: 'a server', roles: [{ id: GUILD, name: '@everyone', permissions: '0' }] });
    const Interaction = ChatInputCommandInteraction as unknown as new (client: Client, data: unknown) => ChatInputCommandInteraction;
    return new Interaction(client, payload(roles));
  };

  it('GIVEN a server discord.js has cached THEN the ids come from the GuildMember, as Discord sent them', () => {
    const built = interaction(['700000000000000001', '700000000000000002'], true);
    expect(built.member).toBeInstanceOf(GuildMember);
    expect(memberRoleIds(built)).toEqual(['700000000000000001', '700000000000000002']);
  });

  it('GIVEN a server not in the cache (the raw member object) THEN the ids come from the payload', () => {
    const built = interaction(['700000000000000001'], false);
    expect(built.member).not.toBeInstanceOf(GuildMember);
    expect(memberRoleIds(built)).toEqual(['700000000000000001']);
  });

  it('GIVEN a member without roles, cached or not THEN there are none', () => {
    expect(memberRoleIds(interaction([], true))).toEqual([]);
    expect(memberRoleIds(interaction([], false))).toEqual([]);
  });

  it("GIVEN a caller that changes the list it got THEN discord.js' own member is left as it was", () => {
    for (const cached of [true, false]) {
      const built = interaction(['700000000000000001'], cached);
      memberRoleIds(built).push('700000000000000009');
      expect(memberRoleIds(built)).toEqual(['700000000000000001']);
    }
  });
});
