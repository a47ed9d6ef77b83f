import { DiscordAPIError, MessageFlags, Routes, type RepliableInteraction } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { guardInteraction, type FirstAnswer } from '../../src/discord/early-ack.js';
import { countCallbackAttempts } from '../../src/discord/callback-attempts.js';

/**
 * Makes `rest` count callbacks as the bot's REST client does, and returns `sent(id, n)`: n callback
 * attempts for the interaction as the REST client would send them (a first one and its retries).
 */
function countedCallbacks(rest: object) {
  const counter = countCallbackAttempts(async () => ({ status: 204 }) as never);
  counter.attach(rest as never);
  return async (interactionId: string, n: number) => {
    for (let i = 0; i < n; i += 1) await counter.makeRequest(`http://discord.test/api/v10/interactions/${interactionId}/tok/callback`, {});
  };
}

const alreadyAcknowledgedError = () =>
  new DiscordAPIError({ code: 40060, message: 'Interaction has already been acknowledged.' }, 40060, 400, 'POST', '/callback', {});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An interaction as Discord sees it: one acknowledgement (reply, deferReply, deferUpdate, update,
 * showModal), a second one refused with 40060; each call takes `latencyMs` to land.
 */
function fakeInteraction(latencyMs = 20) {
  const calls: string[] = [];
  let acknowledged = false;
  const ack = (name: string) => async (payload?: unknown) => {
    calls.push(name);
    if (acknowledged) throw new Error('40060 Interaction has already been acknowledged');
    acknowledged = true;
    await sleep(latencyMs);
    return { name, payload };
  };
  const after = (name: string) => async (payload?: unknown) => {
    calls.push(name);
    await sleep(latencyMs);
    return { name, payload };
  };
  const target = {
    id: '100',
    applicationId: '42',
    token: 'tok',
    deferred: false,
    ephemeral: null,
    // The guard's own deferral is the callback POST (a reply deferral, type 5), as Discord sees it.
    client: {
      rest: { post: async (...args: unknown[]) => (await ack('deferReply')(...args), { resource: { message: { id: 'reply-1' } } }) },
    },
    reply: ack('reply'),
    deferReply: ack('deferReply'),
    deferUpdate: ack('deferUpdate'),
    update: ack('update'),
    showModal: ack('showModal'),
    editReply: after('editReply'),
    followUp: after('followUp'),
    deleteReply: after('deleteReply'),
    locale: 'en-US',
  };
  return { target: target as unknown as RepliableInteraction, calls };
}

const guard = (firstAnswer: FirstAnswer, latencyMs?: number) => {
  const { target, calls } = fakeInteraction(latencyMs);
  const guarded = guardInteraction(target, { firstAnswer, withinMs: 30 });
  return Object.assign(guarded, { calls });
};

describe('the early acknowledgement every handler gets', () => {
  it('GIVEN a handler that answers at once THEN only its answer goes out', async () => {
    const g = guard('private');
    await g.interaction.reply({ content: 'hi', flags: MessageFlags.Ephemeral });
    await sleep(60);
    g.dispose();
    expect(g.calls).toEqual(['reply']);
  });

  it('GIVEN a handler that answers just as the deferral leaves THEN its answer edits the deferral, never a second acknowledgement', async () => {
    const g = guard('private', 40);
    await sleep(35);
    await g.interaction.reply({ content: 'late', flags: MessageFlags.Ephemeral });
    g.dispose();
    await g.settled();
    expect(g.calls).toEqual(['deferReply', 'editReply']);
  });

  it('GIVEN a public deferral WHEN the handler refuses privately THEN the public placeholder goes and the refusal is a private follow-up', async () => {
    const g = guard('public');
    await sleep(80);
    await g.interaction.reply({ content: 'no', flags: MessageFlags.Ephemeral });
    expect(g.calls).toEqual(['deferReply', 'deleteReply', 'followUp']);
  });

  it('GIVEN a private refusal took the place of a public deferral WHEN the handler answers again THEN it is a follow-up, never an edit of the removed reply', async () => {
    const g = guard('public');
    await sleep(80);
    expect(g.replyDeleted()).toBe(false);
    await g.interaction.reply({ content: 'no', flags: MessageFlags.Ephemeral });
    expect(g.replyDeleted()).toBe(true);
    await g.interaction.reply({ content: 'and one more thing' });
    expect(g.calls).toEqual(['deferReply', 'deleteReply', 'followUp', 'followUp']);
  });

  it('GIVEN a handler that deletes its reply itself (Extend refusing after taking the frame) THEN the guard knows it is gone; deleting a follow-up is not that', async () => {
    const g = guard('public');
    await g.interaction.deferReply();
    await g.interaction.deleteReply('1300000000000000001');
    expect(g.replyDeleted()).toBe(false);
    await g.interaction.deleteReply();
    expect(g.replyDeleted()).toBe(true);
  });

  it('GIVEN a deferral made for it WHEN the handler defers itself THEN it gets that deferral back', async () => {
    const g = guard('public');
    await sleep(80);
    const response = await g.interaction.deferReply({ withResponse: true });
    expect(response.resource?.message?.id).toBe('reply-1');
    expect(g.calls).toEqual(['deferReply']);
  });

  it('GIVEN a handler that defers publicly asking for the response THEN one callback reads only the reply id, and the interaction counts as deferred for its later edits', async () => {
    const posts: Array<{ route: string; body: unknown; query: string }> = [];
    const { target, calls } = fakeInteraction();
    Object.assign(target, {
      id: '111',
      token: 'tok',
      deferred: false,
      ephemeral: null,
      client: {
        rest: {
          post: async (route: string, options: { body: unknown; query: URLSearchParams }) => {
            posts.push({ route, body: options.body, query: options.query.toString() });
            await sleep(5);
            // Discord's interaction callback response (with_response=true), abridged.
            return { interaction: { id: '111', type: 2 }, resource: { type: 5, message: { id: '999', content: '', flags: 128 } } };
          },
        },
      },
    });
    const g = guardInteraction(target, { firstAnswer: 'public', withinMs: 1_000 });
    const response = await g.interaction.deferReply({ withResponse: true });
    expect(response.resource?.message?.id).toBe('999');
    expect(posts).toEqual([
      { route: '/interactions/111/tok/callback', body: { type: 5, data: { flags: 0 } }, query: 'with_response=true' },
    ]);
    expect(target.deferred).toBe(true);
    expect(target.ephemeral).toBe(false);
    // Its later answer edits the deferred reply, as after discord.js' own deferReply.
    await g.interaction.reply({ content: 'in line' });
    g.dispose();
    expect(calls).toEqual(['editReply']);
  });

  it('GIVEN a deferral that landed although its answer did not (the retry gets 40060) THEN it counts as made and the reply id is read back', async () => {
    const gets: string[] = [];
    const { target } = fakeInteraction();
    const rest = {
      // The first attempt landed and was answered 500; the REST client's retry got 40060.
      post: async () => {
        await sent('113', 2);
        throw alreadyAcknowledgedError();
      },
      get: async (route: string) => (gets.push(route), { id: '777', content: '' }),
    };
    const sent = countedCallbacks(rest);
    Object.assign(target, { id: '113', applicationId: '42', token: 'tok', deferred: false, client: { rest } });
    const g = guardInteraction(target, { firstAnswer: 'public', withinMs: 1_000 });
    const response = await g.interaction.deferReply({ withResponse: true });
    g.dispose();
    expect(response.resource?.message?.id).toBe('777');
    expect(gets).toEqual([Routes.webhookMessage('42', 'tok', '@original')]);
    expect(target.deferred).toBe(true);
  });

  it.each([
    ['reply', 'private', { content: 'a private answer', flags: MessageFlags.Ephemeral }, { replied: true, ephemeral: true }],
    ['reply', 'public', { content: 'a public answer' }, { replied: true, ephemeral: false }],
    ['deferReply', 'private', { flags: MessageFlags.Ephemeral }, { deferred: true, ephemeral: true }],
    ['deferUpdate', 'update', undefined, { deferred: true }],
    ['update', 'update', { content: 'updated' }, { replied: true }],
    ['showModal', 'modal', { title: 'form' }, { replied: true }],
  ] as const)(
    'GIVEN a first %s (%s) that landed although its answer did not (the retry gets 40060) THEN it counts as made and the interaction is marked as answered, so the handler goes on',
    async (method, firstAnswer, payload, marked) => {
      const { target } = fakeInteraction();
      const sent = countedCallbacks(target.client.rest);
      // Sent, answered 500 or lost, sent again: refused as already acknowledged.
      const refusedAsDone = async () => {
        await sent(target.id, 2);
        throw alreadyAcknowledgedError();
      };
      Object.assign(target, { replied: false, deferred: false, ephemeral: null, [method]: refusedAsDone });
      const g = guardInteraction(target, { firstAnswer, withinMs: 1_000 });
      const answer = (g.interaction as unknown as Record<string, (p?: unknown) => Promise<unknown>>)[method];
      await expect(answer?.(payload)).resolves.toBeUndefined();
      g.dispose();
      expect(target).toMatchObject(marked);
      // A later answer goes where it belongs, not refused as a second first answer.
      if (method === 'reply') await expect(g.interaction.followUp({ content: 'more' })).resolves.toBeDefined();
    },
  );

  it.each([
    ['reply', 'private', { content: 'a private answer', flags: MessageFlags.Ephemeral }],
    ['deferUpdate', 'update', undefined],
    ['update', 'update', { content: 'updated' }],
  ] as const)(
    'GIVEN a first %s (%s) refused with 40060 on its first attempt (another process answered the interaction) THEN the handler gets the error and nothing is marked',
    async (method, firstAnswer, payload) => {
      const { target } = fakeInteraction();
      const sent = countedCallbacks(target.client.rest);
      const refused = async () => {
        await sent(target.id, 1);
        throw alreadyAcknowledgedError();
      };
      Object.assign(target, { replied: false, deferred: false, [method]: refused });
      const g = guardInteraction(target, { firstAnswer, withinMs: 1_000 });
      const answer = (g.interaction as unknown as Record<string, (p?: unknown) => Promise<unknown>>)[method];
      await expect(answer?.(payload)).rejects.toMatchObject({ code: 40060 });
      g.dispose();
      expect(target).toMatchObject({ replied: false, deferred: false });
    },
  );

  it('GIVEN a /video deferral refused with 40060 on its first attempt THEN it is not taken as made', async () => {
    const { target } = fakeInteraction();
    const rest = {
      post: async () => {
        await sent('114', 1);
        throw alreadyAcknowledgedError();
      },
      get: async () => ({ id: 'someone-elses-reply' }),
    };
    const sent = countedCallbacks(rest);
    Object.assign(target, { id: '114', applicationId: '42', token: 'tok', deferred: false, client: { rest } });
    const g = guardInteraction(target, { firstAnswer: 'public', withinMs: 1_000 });
    await expect(g.interaction.deferReply({ withResponse: true })).rejects.toMatchObject({ code: 40060 });
    g.dispose();
    expect(target.deferred).toBe(false);
  });

  it('GIVEN a first answer Discord refuses for another reason (10062, too late) THEN the handler gets that error and nothing is marked', async () => {
    const { target } = fakeInteraction();
    Object.assign(target, { replied: false, reply: () => Promise.reject(new Error('10062 Unknown interaction')) });
    const g = guardInteraction(target, { firstAnswer: 'private', withinMs: 1_000 });
    await expect(g.interaction.reply({ content: 'late', flags: MessageFlags.Ephemeral })).rejects.toThrow('10062');
    g.dispose();
    expect(target.replied).toBe(false);
  });

  it('GIVEN a deferral whose callback Discord refuses THEN the handler gets the error and the interaction is not marked deferred', async () => {
    const { target } = fakeInteraction();
    Object.assign(target, {
      id: '112',
      token: 'tok',
      deferred: false,
      client: { rest: { post: () => Promise.reject(new Error('10062 Unknown interaction')) } },
    });
    const g = guardInteraction(target, { firstAnswer: 'public', withinMs: 1_000 });
    await expect(g.interaction.deferReply({ withResponse: true })).rejects.toThrow('10062');
    g.dispose();
    expect(target.deferred).toBe(false);
  });

  it('GIVEN a button that updates its message WHEN it is late THEN it is deferred as an update and its update edits the message', async () => {
    const { target, calls } = fakeInteraction();
    const g = guardInteraction(target as unknown as RepliableInteraction & { update(p: unknown): Promise<unknown> }, {
      firstAnswer: 'update',
      withinMs: 30,
    });
    await sleep(80);
    await g.interaction.update({ content: 'page 2' });
    expect(calls).toEqual(['deferUpdate', 'editReply']);
  });

  it('GIVEN a handler that opens a form WHEN it is slow THEN nothing is deferred for it', async () => {
    const { target, calls } = fakeInteraction();
    const g = guardInteraction(target as unknown as RepliableInteraction & { showModal(m: unknown): Promise<unknown> }, {
      firstAnswer: 'modal',
      withinMs: 10,
    });
    await sleep(50);
    await g.interaction.showModal({ title: 'form' });
    expect(calls).toEqual(['showModal']);
  });
});
