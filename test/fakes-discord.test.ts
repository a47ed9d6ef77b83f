import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, DiscordAPIError, Events, GatewayIntentBits, Routes, type ChatInputCommandInteraction, type Interaction } from 'discord.js';
import { startFakeDiscord, type FakeDiscord } from './fakes/discord/index.js';

let now = Date.now();
const clock = (): number => now;

let fake: FakeDiscord;
let client: Client;

interface Seen {
  prompt?: string | null;
  attachmentUrl?: string;
  attachmentBytes?: Buffer;
  deferResponseMessageId?: string | null;
  deferResponseLoading?: boolean | null;
  attachmentSizeLimit?: number;
  dmContext?: number | null;
  followUpIds?: string[];
  errors: Array<{ command: string; code: unknown; status: unknown }>;
}
const seen: Seen = { errors: [] };
const videoBytes = Buffer.from('fake-mp4-bytes');

async function handleVideo(interaction: ChatInputCommandInteraction): Promise<void> {
  seen.prompt = interaction.options.getString('prompt');
  const image = interaction.options.getAttachment('image');
  seen.attachmentSizeLimit = interaction.attachmentSizeLimit;
  const response = await interaction.deferReply({ withResponse: true });
  seen.deferResponseMessageId = response.resource?.message?.id ?? null;
  seen.deferResponseLoading = response.interaction.responseMessageLoading;
  if (image) {
    seen.attachmentUrl = image.url;
    seen.attachmentBytes = Buffer.from(await (await fetch(image.url)).arrayBuffer());
  }
  await interaction.editReply({ content: 'working' });
  await interaction.editReply({ content: 'done', files: [{ attachment: videoBytes, name: 'video.mp4' }] });
}

async function onInteraction(interaction: Interaction): Promise<void> {
  try {
    if (interaction.isChatInputCommand()) {
      if (interaction.commandName === 'video') await handleVideo(interaction);
      if (interaction.commandName === 'big') {
        await interaction.deferReply();
        await interaction.editReply({ files: [{ attachment: Buffer.alloc(64, 1), name: 'big.bin' }] });
      }
      if (interaction.commandName === 'dm') {
        seen.dmContext = interaction.context;
        await interaction.reply({ content: `hi ${interaction.user.username}` });
      }
      if (interaction.commandName === 'followup') {
        const deferred = await interaction.deferReply({ withResponse: true });
        const first = await interaction.followUp({ content: 'first follow-up' });
        const second = await interaction.followUp({ content: 'secret', flags: 64 });
        seen.followUpIds = [deferred.resource?.message?.id ?? '', first.id, second.id];
      }
      if (interaction.commandName === 'fallback') {
        const deferred = await interaction.deferReply({ withResponse: true });
        const message = deferred.resource?.message;
        if (!message) throw new Error('no message in callback response');
        await interaction.client.rest.patch(Routes.channelMessage(message.channelId, message.id), {
          body: { content: 'edited with the bot token', allowed_mentions: { parse: [] } },
        });
      }
      if (interaction.commandName === 'buttons') {
        await interaction.reply({
          content: 'pick',
          components: [{ type: 1, components: [{ type: 2, style: 1, custom_id: 'again', label: 'Again' }] }],
        });
      }
    } else if (interaction.isButton()) {
      await interaction.update({ content: `clicked ${interaction.customId}`, components: [] });
    } else if (interaction.isAutocomplete()) {
      const focused = interaction.options.getFocused();
      await interaction.respond([{ name: `${focused}-1`, value: `${focused}-1` }]);
    }
  } catch (error) {
    const name = interaction.isCommand() || interaction.isAutocomplete() ? interaction.commandName : 'component';
    seen.errors.push({
      command: name,
      code: error instanceof DiscordAPIError ? error.code : String(error),
      status: error instanceof DiscordAPIError ? error.status : undefined,
    });
  }
}

async function expectApiError(promise: Promise<unknown>, status: number, code: number): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DiscordAPIError);
  expect((error as DiscordAPIError).status).toBe(status);
  expect((error as DiscordAPIError).code).toBe(code);
}

describe('fake discord', () => {
  beforeAll(async () => {
    fake = await startFakeDiscord({ clock });
    client = new Client({
      intents: [GatewayIntentBits.Guilds],
      rest: { api: fake.apiUrl },
      allowedMentions: { parse: [] },
    });
    client.on(Events.InteractionCreate, (interaction) => void onInteraction(interaction));
    const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
    await client.login(fake.token);
    await ready;
    await fake.waitFor(() => client.guilds.cache.get(fake.defaultGuildId));
  });

  afterAll(async () => {
    await client?.destroy();
    await fake?.close();
  });

  it('logs in through the fake gateway', () => {
    expect(fake.gatewayConnections).toBe(1);
    expect(fake.identifies[0]?.intents).toBe(GatewayIntentBits.Guilds);
    expect(fake.identifies[0]?.shard).toEqual([0, 1]);
    expect(client.user?.id).toBe(fake.botUser.id);
    expect(client.application?.id).toBe(fake.applicationId);
    expect(client.guilds.cache.get(fake.defaultGuildId)?.channels.cache.has(fake.defaultChannelId)).toBe(true);
  });

  it('runs a deferred /video reply with progress edits and an upload', async () => {
    const image = fake.registerAttachment({
      filename: 'first.png',
      contentType: 'image/png',
      data: Buffer.from('png-bytes'),
      width: 640,
      height: 360,
    });
    const { id } = fake.dispatchInteraction({
      commandName: 'video',
      options: [
        { name: 'prompt', type: 3, value: 'a cat surfing' },
        { name: 'image', type: 11, value: image.id },
      ],
      attachments: [image],
      attachmentSizeLimit: 8 * 1024 * 1024,
    });
    const message = await fake.waitFor(() => {
      const m = fake.originalResponse(id);
      return m?.content === 'done' ? m : undefined;
    });
    expect(seen.errors).toEqual([]);
    expect(seen.prompt).toBe('a cat surfing');
    expect(seen.attachmentSizeLimit).toBe(8 * 1024 * 1024);
    expect(seen.attachmentBytes?.toString()).toBe('png-bytes');
    expect(seen.deferResponseMessageId).toBe(message.id);
    expect(seen.deferResponseLoading).toBe(true);
    expect(message.attachments).toHaveLength(1);
    expect(message.attachments[0]?.filename).toBe('video.mp4');
    expect(message.attachments[0]?.data.equals(videoBytes)).toBe(true);
    expect(message.flags & 128).toBe(0);
    expect(message.history.map((h) => h.content)).toEqual(['', 'working', 'done']);
    expect(message.history[0]?.flags).toBe(128);
    expect(message.history.map((h) => h.attachments)).toEqual([[], [], ['video.mp4']]);
    expect(message.allowedMentionsLog.slice(1)).toEqual([{ parse: [] }, { parse: [] }]);
    expect(fake.callbacks.find((c) => c.interactionId === id)?.type).toBe(5);
    // The uploaded file is downloadable from the fake CDN.
    const download = await fetch(message.attachments[0]?.url ?? '');
    expect(Buffer.from(await download.arrayBuffer()).equals(videoBytes)).toBe(true);
    const partial = await fetch(message.attachments[0]?.url ?? '', { headers: { Range: 'bytes=0-3' } });
    expect(partial.status).toBe(206);
    expect(await partial.text()).toBe('fake');
    // Every edit of the reply, through the interaction's token, names the same message (the bench
    // compares a message's edits across the token and channel routes by it).
    const edits = fake.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/messages/@original'));
    expect(edits.length).toBeGreaterThan(0);
    for (const edit of edits) expect(fake.messageIdOf(edit.path)).toBe(message.id);
    expect(fake.messageIdOf(`/v10/channels/${fake.defaultChannelId}/messages/${message.id}`)).toBe(message.id);
    expect(fake.messageIdOf(`/v10/webhooks/${fake.applicationId}/not-a-token/messages/@original`)).toBeUndefined();
    expect(fake.messageIdOf(`/v10/interactions/${id}/token/callback`)).toBeUndefined();
    const upload = fake.requests.find((r) => r.method === 'PATCH' && r.files.length > 0);
    // Buffers without recognisable magic bytes go out as application/octet-stream;
    // like Discord, the fake derives the stored content type from the file name.
    expect(upload?.files).toEqual([{ name: 'video.mp4', size: videoBytes.length, contentType: 'application/octet-stream' }]);
    expect(message.attachments[0]?.contentType).toBe('video/mp4');
    expect(download.headers.get('content-type')).toBe('video/mp4');
    expect(upload?.auth).toBe('none');
  });

  it('answers 10062 to a late callback and 40060 to a second one', async () => {
    const late = fake.dispatchInteraction({ commandName: 'ignored' });
    now += 4000;
    await expectApiError(client.rest.post(Routes.interactionCallback(late.id, late.token), { body: { type: 5 }, auth: false }), 404, 10062);
    const twice = fake.dispatchInteraction({ commandName: 'ignored' });
    await client.rest.post(Routes.interactionCallback(twice.id, twice.token), { body: { type: 5 }, auth: false });
    await expectApiError(
      client.rest.post(Routes.interactionCallback(twice.id, twice.token), { body: { type: 5 }, auth: false }),
      400,
      40060,
    );
  });

  it('checks modals like Discord (50035 over a limit) and never lets a modal answer a modal submit', async () => {
    const post = (id: string, token: string, data: unknown) =>
      client.rest.post(Routes.interactionCallback(id, token), { body: { type: 9, data }, auth: false });
    const field = { type: 18, label: 'Prompt', component: { type: 4, custom_id: 'prompt', style: 2, max_length: 2000 } };
    const tooLongTitle = fake.dispatchInteraction({ commandName: 'ignored' });
    await expectApiError(
      post(tooLongTitle.id, tooLongTitle.token, { custom_id: 'm', title: 'x'.repeat(46), components: [field] }),
      400,
      50035,
    );
    const sixFields = fake.dispatchInteraction({ commandName: 'ignored' });
    const six = Array.from({ length: 6 }, (_, i) => ({ ...field, component: { ...field.component, custom_id: `f${i}` } }));
    await expectApiError(post(sixFields.id, sixFields.token, { custom_id: 'm', title: 'ok', components: six }), 400, 50035);
    const longId = fake.dispatchInteraction({ commandName: 'ignored' });
    await expectApiError(post(longId.id, longId.token, { custom_id: 'm'.repeat(101), title: 'ok', components: [field] }), 400, 50035);

    const good = fake.dispatchInteraction({ commandName: 'ignored' });
    await post(good.id, good.token, {
      custom_id: 'form:1',
      title: 'ok',
      components: [
        field,
        {
          type: 18,
          label: 'Pick',
          component: {
            type: 3,
            custom_id: 'pick',
            options: [
              { label: 'A', value: 'a' },
              { label: 'B', value: 'b' },
            ],
          },
        },
      ],
    });
    expect(() => fake.submitModal({ interactionId: good.id, values: { prompt: '' } })).toThrow(/would not submit/);
    expect(() => fake.submitModal({ interactionId: good.id, values: { prompt: 'x'.repeat(2001) } })).toThrow(/would not submit/);
    expect(() => fake.submitModal({ interactionId: good.id, values: { prompt: 'hi', pick: ['c'] } })).toThrow(/would not submit/);
    const submit = fake.submitModal({ interactionId: good.id, values: { prompt: 'two\nlines', pick: ['b'] } });
    const payload = fake.interaction(submit.id)?.payload as { type: number; data: unknown };
    expect(payload.type).toBe(5);
    expect(payload.data).toEqual({
      custom_id: 'form:1',
      components: [
        { type: 18, id: 0, component: { type: 4, id: 0, custom_id: 'prompt', value: 'two\nlines' } },
        { type: 18, id: 0, component: { type: 3, id: 0, custom_id: 'pick', values: ['b'] } },
      ],
    });
    await expectApiError(post(submit.id, submit.token, { custom_id: 'again', title: 'ok', components: [field] }), 400, 40043);
  });

  it('answers 50027 for expired interaction tokens', async () => {
    const first = fake.dispatchInteraction({ commandName: 'ignored' });
    await client.rest.post(Routes.interactionCallback(first.id, first.token), { body: { type: 5 }, auth: false });
    fake.expireToken(first.token);
    await expectApiError(
      client.rest.patch(Routes.webhookMessage(fake.applicationId, first.token, '@original'), {
        body: { content: 'late' },
        auth: false,
      }),
      401,
      50027,
    );
    const second = fake.dispatchInteraction({ commandName: 'ignored' });
    await client.rest.post(Routes.interactionCallback(second.id, second.token), { body: { type: 5 }, auth: false });
    now += 15 * 60 * 1000 + 1;
    await expectApiError(
      client.rest.patch(Routes.webhookMessage(fake.applicationId, second.token, '@original'), {
        body: { content: 'late' },
        auth: false,
      }),
      401,
      50027,
    );
  });

  it('rejects uploads over the interaction attachment limit with 40005', async () => {
    const { id } = fake.dispatchInteraction({ commandName: 'big', attachmentSizeLimit: 16 });
    await fake.waitFor(() => seen.errors.find((e) => e.command === 'big'));
    expect(seen.errors.find((e) => e.command === 'big')).toEqual({ command: 'big', code: 40005, status: 413 });
    expect(fake.originalResponse(id)?.attachments).toEqual([]);
    seen.errors = seen.errors.filter((e) => e.command !== 'big');
  });

  it('handles buttons and autocomplete', async () => {
    const command = fake.dispatchInteraction({ commandName: 'buttons' });
    const reply = await fake.waitFor(() => fake.originalResponse(command.id));
    expect(reply.components).toHaveLength(1);
    const click = fake.dispatchComponentInteraction({ customId: 'again', messageId: reply.id });
    await fake.waitFor(() => fake.messages.get(reply.id)?.content === 'clicked again');
    expect(fake.originalResponse(click.id)?.id).toBe(reply.id);
    expect(fake.messages.get(reply.id)?.components).toEqual([]);
    const auto = fake.dispatchAutocomplete({
      commandName: 'video',
      options: [{ name: 'prompt', type: 3, value: 'cat', focused: true }],
    });
    const choices = await fake.waitFor(() => fake.autocompleteResults(auto.id));
    expect(choices).toEqual([{ name: 'cat-1', value: 'cat-1' }]);
    expect(seen.errors).toEqual([]);
  });

  it('delivers DM interactions and follow-ups', async () => {
    const dm = fake.dispatchInteraction({ commandName: 'dm', guildId: null });
    const reply = await fake.waitFor(() => fake.originalResponse(dm.id));
    expect(reply.content).toBe(`hi ${fake.defaultUser.username}`);
    expect(reply.guildId).toBeNull();
    expect(seen.dmContext).toBe(1);

    const follow = fake.dispatchInteraction({ commandName: 'followup' });
    const ids = await fake.waitFor(() => seen.followUpIds);
    // The first follow-up after a defer replaces the "thinking" message.
    expect(ids[1]).toBe(ids[0]);
    expect(fake.originalResponse(follow.id)?.content).toBe('first follow-up');
    expect(fake.followUps(follow.id).map((m) => [m.content, m.flags])).toEqual([['secret', 64]]);
  });

  it('lets the bot edit its reply through the channel route', async () => {
    const { id } = fake.dispatchInteraction({ commandName: 'fallback' });
    const message = await fake.waitFor(() => {
      const m = fake.originalResponse(id);
      return m?.content === 'edited with the bot token' ? m : undefined;
    });
    expect(message.flags).toBe(0);
    expect(seen.errors).toEqual([]);
  });

  it('posts and edits channel messages with the bot token', async () => {
    const posted = (await client.rest.post(Routes.channelMessages(fake.defaultChannelId), {
      body: { content: 'hello', allowed_mentions: { parse: [] } },
    })) as { id: string; channel_id: string };
    expect(posted.channel_id).toBe(fake.defaultChannelId);
    await client.rest.patch(Routes.channelMessage(fake.defaultChannelId, posted.id), {
      body: { content: 'hello again', allowed_mentions: { parse: [] } },
      files: [{ name: 'a.txt', data: Buffer.from('abc'), contentType: 'text/plain' }],
    });
    const stored = fake.messages.get(posted.id);
    expect(stored?.content).toBe('hello again');
    expect(stored?.attachments.map((a) => a.data.toString())).toEqual(['abc']);
    expect(stored?.allowedMentionsLog).toEqual([{ parse: [] }, { parse: [] }]);
    expect(fake.requests.find((r) => r.path === `/v10/channels/${fake.defaultChannelId}/messages`)?.auth).toBe('bot');

    await expectApiError(client.rest.get(Routes.channel('1100000000000000001')), 404, 10003);
    await expectApiError(client.rest.get(Routes.channelMessage(fake.defaultChannelId, '1100000000000000001')), 404, 10008);
    fake.denyChannel(fake.defaultChannelId);
    await expectApiError(client.rest.post(Routes.channelMessages(fake.defaultChannelId), { body: { content: 'x' } }), 403, 50001);
    fake.allowChannel(fake.defaultChannelId);
  });

  it('opens a DM channel and sends to it', async () => {
    const dm = (await client.rest.post(Routes.userChannels(), { body: { recipient_id: fake.defaultUser.id } })) as {
      id: string;
      type: number;
    };
    expect(dm.type).toBe(1);
    const sent = (await client.rest.post(Routes.channelMessages(dm.id), {
      body: { content: 'psst', allowed_mentions: { parse: [] } },
    })) as { id: string };
    expect(fake.messages.get(sent.id)?.channelId).toBe(dm.id);
    // Same DM channel as the earlier DM interaction.
    expect(fake.messagesIn(dm.id).map((m) => m.content)).toEqual([`hi ${fake.defaultUser.username}`, 'psst']);
  });

  it('injects faults and records unknown routes', async () => {
    fake.failNext(
      { method: 'POST', path: /\/channels\/\d+\/messages$/ },
      {
        status: 429,
        headers: { 'Retry-After': '0.2' },
        body: { message: 'You are being rate limited.', retry_after: 0.2, global: false },
      },
    );
    const before = fake.requests.length;
    await client.rest.post(Routes.channelMessages(fake.defaultChannelId), {
      body: { content: 'after 429', allowed_mentions: { parse: [] } },
    });
    const recent = fake.requests.slice(before);
    expect(recent.map((r) => r.status)).toEqual([429, 200]);
    expect(recent[0]?.injected).toBe(true);

    await expectApiError(client.rest.get('/guilds/1/nonexistent-thing'), 404, 0);
    expect(fake.unknownRequests.at(-1)?.path).toBe('/v10/guilds/1/nonexistent-thing');
  });

  it('stores bulk-overwritten commands and uses their ids', async () => {
    const app = await client.application?.fetch();
    expect(app?.id).toBe(fake.applicationId);
    const global = await client.application?.commands.set([
      { name: 'video', description: 'Make a video', options: [{ type: 3, name: 'prompt', description: 'What', required: true }] },
      { name: 'dm', description: 'Say hi', contexts: [0, 1], integrationTypes: [0, 1] },
    ]);
    const guild = client.guilds.cache.get(fake.defaultGuildId);
    await guild?.commands.set([{ name: 'quota', description: 'Quota', defaultMemberPermissions: '32' }]);
    expect(fake.registeredCommands.global.map((c) => c.name)).toEqual(['video', 'dm']);
    expect(fake.registeredCommands.guilds.get(fake.defaultGuildId)?.[0]?.['default_member_permissions']).toBe('32');
    const { id } = fake.dispatchInteraction({ commandName: 'dm', guildId: null });
    await fake.waitFor(() => fake.originalResponse(id));
    const payload = fake.interaction(id)?.payload['data'] as { id?: string } | undefined;
    expect(payload?.id).toBe(global?.find((c) => c.name === 'dm')?.id);
  });

  it('lets discord.js resume after the gateway drops', async () => {
    fake.disconnectGateway();
    await fake.waitFor(() => fake.gatewaySessions === 1 && fake.gatewayConnections === 1, { timeoutMs: 10_000 });
    expect(fake.identifies).toHaveLength(1);
    const { id } = fake.dispatchInteraction({ commandName: 'buttons' });
    await fake.waitFor(() => fake.originalResponse(id));
  });

  it('makes discord.js identify again when sessions are invalidated', async () => {
    fake.disconnectGateway({ invalidateSessions: true });
    // discord.js waits up to ~6.5 s between identifies of the same shard.
    await fake.waitFor(() => fake.identifies.length === 2 && fake.gatewaySessions === 1, { timeoutMs: 15_000 });
    const { id } = fake.dispatchInteraction({ commandName: 'buttons' });
    await fake.waitFor(() => fake.originalResponse(id));
  }, 20_000);
});

describe('fake discord with two shards', () => {
  const shardGuild = (shard: number): string => ((300000000000n + BigInt(shard)) << 22n).toString();
  let shardFake: FakeDiscord;
  const clients: Client[] = [];

  beforeAll(async () => {
    shardFake = await startFakeDiscord({
      guilds: [
        { id: shardGuild(0), name: 'Shard zero', channels: [{ id: '1300000000000000000', name: 'zero' }] },
        { id: shardGuild(1), name: 'Shard one', channels: [{ id: '1300000000000000001', name: 'one' }] },
      ],
    });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.destroy()));
    await shardFake?.close();
  });

  it('routes guilds and interactions to the shard that owns them', async () => {
    const received: Array<[number, string | null]> = [];
    for (const shard of [0, 1]) {
      const c = new Client({
        intents: [GatewayIntentBits.Guilds],
        rest: { api: shardFake.apiUrl },
        shards: [shard],
        shardCount: 2,
        allowedMentions: { parse: [] },
      });
      c.on(Events.InteractionCreate, (i) => {
        received.push([shard, i.guildId]);
        if (i.isChatInputCommand()) void i.reply({ content: `shard ${shard}` });
      });
      clients.push(c);
      const ready = new Promise<void>((resolve) => c.once(Events.ClientReady, () => resolve()));
      await c.login(shardFake.token);
      await ready;
    }
    expect(clients[0]?.guilds.cache.map((g) => g.id)).toEqual([shardGuild(0)]);
    expect(clients[1]?.guilds.cache.map((g) => g.id)).toEqual([shardGuild(1)]);
    expect(shardFake.gatewayConnections).toBe(2);
    const one = shardFake.dispatchInteraction({ commandName: 'x', guildId: shardGuild(1) });
    const zero = shardFake.dispatchInteraction({ commandName: 'x', guildId: shardGuild(0) });
    await shardFake.waitFor(() => shardFake.originalResponse(one.id) && shardFake.originalResponse(zero.id));
    expect(shardFake.originalResponse(one.id)?.content).toBe('shard 1');
    expect(shardFake.originalResponse(zero.id)?.content).toBe('shard 0');
    expect(received).toEqual([
      [1, shardGuild(1)],
      [0, shardGuild(0)],
    ]);
  });
});
