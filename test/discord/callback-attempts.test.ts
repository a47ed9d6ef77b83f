import { describe, expect, it } from 'vitest';
import {
  callbackAttempts,
  countCallbackAttempts,
  forgetCallbackAttempts,
  watchCallbackAttempts,
} from '../../src/discord/callback-attempts.js';

// The REST client's attempts of one interaction's callback decide what a 40060 means (see
// early-ack.ts): only attempts Discord may have carried out count.

const callbackUrl = (id: string) => `http://127.0.0.1:9/api/v10/interactions/${id}/aW50ZXJhY3Rpb246dG9rZW4/callback?with_response=true`;

function counted(statuses: number[]) {
  const answers = [...statuses];
  const counter = countCallbackAttempts(async () => ({ status: answers.shift() ?? 204 }) as never);
  const rest = {};
  counter.attach(rest as never);
  return { rest, send: (url: string) => counter.makeRequest(url, {}) };
}

describe('counting interaction callback attempts', () => {
  it('GIVEN a watched interaction WHEN its callback is sent, answered 500 and sent again THEN two attempts are counted', async () => {
    const { rest, send } = counted([500, 400]);
    watchCallbackAttempts(rest, '111');
    expect(callbackAttempts(rest, '111')).toBe(0);
    await send(callbackUrl('111'));
    await send(callbackUrl('111'));
    expect(callbackAttempts(rest, '111')).toBe(2);
  });

  it('GIVEN an attempt Discord answered 429 (rate limited, not carried out) THEN it does not count', async () => {
    const { rest, send } = counted([429, 400]);
    watchCallbackAttempts(rest, '112');
    await send(callbackUrl('112'));
    await send(callbackUrl('112'));
    expect(callbackAttempts(rest, '112')).toBe(1);
  });

  it('GIVEN answers made without the guard (not watched) and other routes THEN nothing is counted or kept', async () => {
    const { rest, send } = counted([]);
    await send(callbackUrl('113'));
    await send('http://127.0.0.1:9/api/v10/webhooks/42/tok/messages/@original');
    expect(callbackAttempts(rest, '113')).toBeUndefined();
    watchCallbackAttempts(rest, '114');
    await send(callbackUrl('114'));
    forgetCallbackAttempts(rest, '114');
    expect(callbackAttempts(rest, '114')).toBeUndefined();
  });

  it('GIVEN a REST client that does not count THEN attempts are unknown', () => {
    const other = {};
    watchCallbackAttempts(other, '115');
    expect(callbackAttempts(other, '115')).toBeUndefined();
  });
});
