import { ChannelType, Client, GatewayDispatchEvents, GatewayIntentBits } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { rememberedThreadParent, THREAD_PARENTS_KEPT, watchThreadParents } from '../../src/discord/thread-parents.js';

// The gateway's INTERACTION_CREATE payload, as discord.js' WebSocketManager emits it on `client.ws`
// before it builds the interaction: only the channel matters here.
const interactionFrom = (channel: unknown) => ({ id: '1', type: 2, channel, channel_id: (channel as { id?: string } | null)?.id });

describe('the parents of threads interactions come from', () => {
  let client: Client | undefined;
  afterEach(async () => {
    await client?.destroy();
    client = undefined;
  });
  const watched = () => {
    client = new Client({ intents: [GatewayIntentBits.Guilds] });
    watchThreadParents(client);
    const c = client;
    return { c, dispatch: (channel: unknown) => c.ws.emit(GatewayDispatchEvents.InteractionCreate, interactionFrom(channel), 0) };
  };

  it('GIVEN a /video from a private thread the gateway never announced THEN its parent channel is known', () => {
    const { c, dispatch } = watched();
    dispatch({ id: '300', type: ChannelType.PrivateThread, parent_id: '200' });
    dispatch({ id: '301', type: ChannelType.PublicThread, parent_id: '201' });
    dispatch({ id: '302', type: ChannelType.AnnouncementThread, parent_id: '202' });
    expect(rememberedThreadParent(c, '300')).toBe('200');
    expect(rememberedThreadParent(c, '301')).toBe('201');
    expect(rememberedThreadParent(c, '302')).toBe('202');
  });

  it('GIVEN interactions from channels that are not threads, or payloads it cannot read THEN nothing is remembered for them', () => {
    const { c, dispatch } = watched();
    // A text channel in a category has a parent too: it is not a thread, and its category is not an allowed channel's stand-in.
    dispatch({ id: '400', type: ChannelType.GuildText, parent_id: '900' });
    dispatch({ id: '401', type: ChannelType.PrivateThread, parent_id: null });
    dispatch({ id: 402, type: ChannelType.PrivateThread, parent_id: '200' });
    dispatch(null);
    c.ws.emit(GatewayDispatchEvents.InteractionCreate, 'not an object', 0);
    for (const id of ['400', '401', '402']) expect(rememberedThreadParent(c, id)).toBeUndefined();
  });

  it(`GIVEN more than ${THREAD_PARENTS_KEPT} threads THEN the least recently seen are forgotten first, and memory stays bounded`, () => {
    const { c, dispatch } = watched();
    dispatch({ id: 't0', type: ChannelType.PublicThread, parent_id: 'p0' });
    dispatch({ id: 't1', type: ChannelType.PublicThread, parent_id: 'p1' });
    for (let i = 2; i < THREAD_PARENTS_KEPT; i += 1) dispatch({ id: `t${i}`, type: ChannelType.PublicThread, parent_id: `p${i}` });
    // t0 is used again: t1 is now the least recently seen.
    dispatch({ id: 't0', type: ChannelType.PublicThread, parent_id: 'p0' });
    dispatch({ id: 'new', type: ChannelType.PublicThread, parent_id: 'pn' });
    expect(rememberedThreadParent(c, 't1')).toBeUndefined();
    expect(rememberedThreadParent(c, 't0')).toBe('p0');
    expect(rememberedThreadParent(c, 'new')).toBe('pn');
    expect(rememberedThreadParent(c, `t${THREAD_PARENTS_KEPT - 1}`)).toBe(`p${THREAD_PARENTS_KEPT - 1}`);
  });

  it('GIVEN a client it does not watch THEN it knows no parents', () => {
    client = new Client({ intents: [GatewayIntentBits.Guilds] });
    expect(rememberedThreadParent(client, '300')).toBeUndefined();
  });
});
