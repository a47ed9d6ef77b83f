import { createServer } from 'node:net';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../src/log.js';
import type { GenerationRequest, VideoProvider } from '../../src/provider/types.js';
import { createXComputeClient, type XComputeClientOptions } from '../../src/provider/xcompute-client.js';
import { startFakeProvider, type FakeProvider, type FakeProviderOptions } from '../fakes/provider.js';

const SEED_REQUEST: GenerationRequest = {
  model: 'MiniMax-Hailuo-2.3',
  prompt: '一只可爱的猫咪在草地上奔跑',
  duration: 6,
  resolution: '768p',
  promptOptimizer: true,
  fastPretreatment: false,
  watermark: false,
};
const SEED_BODY_KEYS = ['model', 'prompt', 'duration', 'resolution', 'prompt_optimizer', 'fast_pretreatment', 'watermark'];
const SERVER_ERROR = { error: { code: 500, message: '服务器内部错误，请稍后重试', type: 'server_error' } };
const RATE_LIMITED = { error: { code: 429, message: '请求过于频繁，请稍后再试', type: 'rate_limit_error' } };

let fake: FakeProvider;
let client: VideoProvider;
let delays: number[];

async function setUp(fakeOptions: FakeProviderOptions = {}, clientOptions: Partial<XComputeClientOptions> = {}): Promise<void> {
  fake = await startFakeProvider(fakeOptions);
  delays = [];
  client = createXComputeClient({
    baseUrl: fake.baseUrl,
    apiKey: fake.apiKey,
    logger: silentLogger(),
    random: () => 0.5,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...clientOptions,
  });
}

afterEach(async () => {
  await client.close();
  await fake.close();
});

describe('submit', () => {
  beforeEach(() => setUp());

  it('GIVEN the seed request THEN the fake receives exactly the seed body with Bearer auth', async () => {
    const result = await client.submit(SEED_REQUEST);

    expect(result).toEqual({ ok: true, taskId: expect.stringMatching(/^task_[0-9A-Z]{26}$/), status: 'submitted' });
    expect(fake.submissions).toHaveLength(1);
    const [sent] = fake.submissions;
    expect(sent?.authorized).toBe(true);
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(Object.keys(sent?.body as object)).toEqual(SEED_BODY_KEYS);
    expect(sent?.body).toEqual({
      model: 'MiniMax-Hailuo-2.3',
      prompt: '一只可爱的猫咪在草地上奔跑',
      duration: 6,
      resolution: '768p',
      prompt_optimizer: true,
      fast_pretreatment: false,
      watermark: false,
    });
    expect(result.ok && fake.tasks.has(result.taskId)).toBe(true);
  });

  it('sends first_frame_image only when given (the Fast model needs it)', async () => {
    const image = 'https://example.com/cat.jpg';
    const result = await client.submit({ ...SEED_REQUEST, model: 'MiniMax-Hailuo-2.3-Fast', firstFrameImage: image });
    expect(result.ok).toBe(true);
    expect(fake.submissions[0]?.body).toMatchObject({ first_frame_image: image });
  });

  it('GIVEN 1080p for 10 s THEN invalid_request with the provider message, not retried', async () => {
    const result = await client.submit({ ...SEED_REQUEST, resolution: '1080p', duration: 10 });
    expect(result).toEqual({
      ok: false,
      error: {
        kind: 'invalid_request',
        status: 400,
        providerType: 'invalid_request_error',
        message: expect.stringContaining('1080p'),
        retryable: false,
      },
    });
    expect(fake.submissions).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('GIVEN a wrong key THEN auth, not retried', async () => {
    await client.close();
    client = createXComputeClient({ baseUrl: fake.baseUrl, apiKey: 'wrong', logger: silentLogger(), sleep: async () => {} });
    const result = await client.submit(SEED_REQUEST);
    expect(result).toMatchObject({ ok: false, error: { kind: 'auth', status: 401, retryable: false } });
    expect(fake.submissions).toHaveLength(1);
    expect(fake.submissions[0]?.authorized).toBe(false);
  });

  it('GIVEN 402 THEN payment, not retried', async () => {
    fake.failNext('submit', {
      status: 402,
      body: { error: { code: 402, message: '账户余额不足，请充值后再试', type: 'payment_required' } },
    });
    const result = await client.submit(SEED_REQUEST);
    expect(result).toMatchObject({ ok: false, error: { kind: 'payment', status: 402, providerType: 'payment_required' } });
    expect(fake.submissions).toHaveLength(1);
  });

  it('GIVEN 429 with Retry-After: 2 once THEN waits 2000 ms and succeeds on the second attempt', async () => {
    fake.failNext('submit', { status: 429, body: RATE_LIMITED, headers: { 'retry-after': '2' } });
    const result = await client.submit(SEED_REQUEST);
    expect(result.ok).toBe(true);
    expect(delays).toEqual([2000]);
    expect(fake.submissions.map((s) => s.status)).toEqual([429, 200]);
    expect(fake.tasks.size).toBe(1);
  });

  it('GIVEN a Retry-After beyond maxRetryAfterMs THEN gives up at once with retryAfterMs', async () => {
    fake.failNext('submit', { status: 429, body: RATE_LIMITED, headers: { 'retry-after': '120' } });
    const result = await client.submit(SEED_REQUEST);
    expect(result).toMatchObject({
      ok: false,
      error: { kind: 'rate_limited', retryAfterMs: 120_000, retryable: true, providerType: 'rate_limit_error' },
    });
    expect(fake.submissions).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('GIVEN 429 without Retry-After every time THEN 4 attempts with growing jittered backoff', async () => {
    fake.failNext('submit', { status: 429, body: RATE_LIMITED }, 10);
    const result = await client.submit(SEED_REQUEST);
    expect(result).toMatchObject({ ok: false, error: { kind: 'rate_limited', status: 429 } });
    expect(fake.submissions).toHaveLength(4);
    expect(delays).toEqual([250, 500, 1000]);
  });

  it('GIVEN 500 every time THEN retried up to maxAttempts, then server with the provider message', async () => {
    fake.failNext('submit', { status: 500, body: SERVER_ERROR }, 10);
    const result = await client.submit(SEED_REQUEST);
    expect(result).toEqual({
      ok: false,
      error: { kind: 'server', status: 500, providerType: 'server_error', message: '服务器内部错误，请稍后重试', retryable: true },
    });
    expect(fake.submissions).toHaveLength(4);
    expect(delays).toHaveLength(3);
  });

  it('GIVEN one 503 with an HTML page THEN retried and succeeds', async () => {
    fake.failNext('submit', { status: 503, body: '<html>oops</html>' });
    const result = await client.submit(SEED_REQUEST);
    expect(result.ok).toBe(true);
    expect(fake.submissions).toHaveLength(2);
  });

  it('GIVEN the connection is reset after the request was sent THEN not retried (the task may exist) and ambiguous', async () => {
    fake.failNext('submit', { status: 0, reset: true });
    const result = await client.submit(SEED_REQUEST);
    expect(result).toMatchObject({ ok: false, error: { kind: 'network', ambiguous: true, retryable: false } });
    expect(fake.submissions).toHaveLength(1);
  });

  it('GIVEN a 200 without a task id THEN bad_response, ambiguous, not retried', async () => {
    fake.failNext('submit', { status: 200, body: { code: 200, data: [] } });
    const result = await client.submit(SEED_REQUEST);
    expect(result).toMatchObject({ ok: false, error: { kind: 'bad_response', ambiguous: true, retryable: false } });
    expect(fake.submissions).toHaveLength(1);
  });

  it('GIVEN HTTP 200 carrying a 402 error envelope THEN payment', async () => {
    fake.failNext('submit', { status: 200, body: { error: { code: 402, message: 'no money', type: 'payment_required' } } });
    const result = await client.submit(SEED_REQUEST);
    expect(result).toMatchObject({ ok: false, error: { kind: 'payment', status: 402 } });
  });

  it('tolerates data as an object and a flat task_id', async () => {
    fake.failNext('submit', { status: 200, body: { code: 200, data: { status: 'submitted', task_id: 'task_A' } } });
    fake.failNext('submit', { status: 200, body: { task_id: 'task_B' } });
    expect(await client.submit(SEED_REQUEST)).toEqual({ ok: true, taskId: 'task_A', status: 'submitted' });
    expect(await client.submit(SEED_REQUEST)).toEqual({ ok: true, taskId: 'task_B', status: 'submitted' });
  });

  it('scrubs the API key if the provider echoes it back', async () => {
    fake.failNext('submit', { status: 400, body: { error: { message: `bad key ${fake.apiKey}!`, type: 'x' } } });
    const result = await client.submit(SEED_REQUEST);
    expect(result.ok || result.error.message).toBe('bad key [redacted]!');
  });

  it('GIVEN an already aborted signal THEN rejects with its reason', async () => {
    const reason = new Error('shutting down');
    await expect(client.submit(SEED_REQUEST, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});

describe('submit — timing and transport', () => {
  it('GIVEN 429 with Retry-After: 1 and the real sleep THEN the retry waits at least 1 s', async () => {
    await setUp({}, { sleep: undefined });
    fake.failNext('submit', { status: 429, body: RATE_LIMITED, headers: { 'retry-after': '1' } });
    const result = await client.submit(SEED_REQUEST);
    expect(result.ok).toBe(true);
    const [first, second] = fake.submissions;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it('GIVEN the answer is held past the headers timeout THEN timeout, ambiguous, not retried — and the task exists', async () => {
    await setUp({}, { timeouts: { headersMs: 200 } });
    fake.setSubmitMode('hold');
    const result = await client.submit(SEED_REQUEST);
    expect(result).toMatchObject({ ok: false, error: { kind: 'timeout', ambiguous: true, retryable: false } });
    expect(fake.submissions).toHaveLength(1);
    expect(fake.tasks.size).toBe(1);
    expect(delays).toEqual([]);
  });

  it('GIVEN nothing listens THEN network, retried to maxAttempts', async () => {
    await setUp();
    const port = await closedPort();
    await client.close();
    client = createXComputeClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: 'k',
      logger: silentLogger(),
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    const result = await client.submit(SEED_REQUEST);
    expect(result).toMatchObject({ ok: false, error: { kind: 'network', retryable: true } });
    expect(result.ok || result.error.ambiguous).toBeFalsy();
    expect(delays).toHaveLength(3);
  });
});

describe('getStatus', () => {
  it('GIVEN a task polled three times THEN queued, running with progress, then succeeded with the video URL', async () => {
    await setUp({ pollsToComplete: 3 });
    const submitted = await client.submit(SEED_REQUEST);
    if (!submitted.ok) throw new Error('submit failed');

    const first = await client.getStatus(submitted.taskId);
    const second = await client.getStatus(submitted.taskId);
    const third = await client.getStatus(submitted.taskId);

    expect(first).toEqual({ ok: true, status: { phase: 'queued', rawStatus: 'pending', progress: 0, estimatedTimeS: 60 } });
    expect(second).toMatchObject({ ok: true, status: { phase: 'running', rawStatus: 'processing', progress: 50 } });
    expect(third).toMatchObject({
      ok: true,
      status: {
        phase: 'succeeded',
        rawStatus: 'completed',
        progress: 100,
        videoUrl: fake.videoUrl(submitted.taskId),
        videoExpiresAt: expect.any(Number),
        actualTimeS: expect.any(Number),
      },
    });
    expect(fake.statusRequests).toHaveLength(3);
  });

  it.each(['array', 'flat'] as const)('reads the %s status shape', async (statusShape) => {
    await setUp({ statusShape, pollsToComplete: 1, urlForm: 'string' });
    const submitted = await client.submit(SEED_REQUEST);
    if (!submitted.ok) throw new Error('submit failed');
    const result = await client.getStatus(submitted.taskId);
    expect(result).toMatchObject({ ok: true, status: { phase: 'succeeded', videoUrl: fake.videoUrl(submitted.taskId) } });
  });

  it('GIVEN a failed task THEN failed with its message (not mistaken for an HTTP error)', async () => {
    await setUp({ pollsToComplete: null, statusShape: 'flat' });
    const submitted = await client.submit(SEED_REQUEST);
    if (!submitted.ok) throw new Error('submit failed');
    fake.failTask(submitted.taskId, 'sensitive content');
    const result = await client.getStatus(submitted.taskId);
    expect(result).toMatchObject({ ok: true, status: { phase: 'failed', errorMessage: 'sensitive content' } });
  });

  it('GIVEN manual progress THEN it is reported', async () => {
    await setUp({ pollsToComplete: null });
    const submitted = await client.submit(SEED_REQUEST);
    if (!submitted.ok) throw new Error('submit failed');
    fake.setProgress(submitted.taskId, 73);
    expect(await client.getStatus(submitted.taskId)).toMatchObject({ ok: true, status: { phase: 'running', progress: 73 } });
  });

  it('GIVEN an unknown task id THEN not_found, with the id URL-encoded in the path', async () => {
    await setUp();
    const result = await client.getStatus('no/such task');
    expect(result).toMatchObject({ ok: false, error: { kind: 'not_found', status: 404, retryable: false } });
    expect(fake.statusRequests[0]?.taskId).toBe('no/such task');
  });

  it('GIVEN 429 THEN one request and rate_limited with retryAfterMs', async () => {
    await setUp();
    fake.failNext('status', { status: 429, body: RATE_LIMITED, headers: { 'retry-after': '5' } });
    const result = await client.getStatus('task_X');
    expect(result).toMatchObject({ ok: false, error: { kind: 'rate_limited', retryAfterMs: 5000, retryable: true } });
    expect(fake.statusRequests).toHaveLength(1);
  });

  it('GIVEN 500 THEN one request and a retryable server error', async () => {
    await setUp();
    fake.failNext('status', { status: 500, body: SERVER_ERROR });
    expect(await client.getStatus('task_X')).toMatchObject({ ok: false, error: { kind: 'server', retryable: true } });
    expect(fake.statusRequests).toHaveLength(1);
  });

  it.each([
    ['an HTML page', '<html>oops'],
    ['an envelope without status', { code: 200, data: {} }],
  ])('GIVEN 200 with %s THEN bad_response, retryable', async (_name, body) => {
    await setUp();
    fake.failNext('status', { status: 200, body });
    expect(await client.getStatus('task_X')).toMatchObject({
      ok: false,
      error: { kind: 'bad_response', status: 200, retryable: true },
    });
  });

  it('GIVEN a slow answer past the headers timeout THEN a retryable, unambiguous timeout', async () => {
    await setUp({}, { timeouts: { headersMs: 150 } });
    // undici checks these timeouts on a ~1 s tick, so the delay must clearly exceed that.
    fake.failNext('status', { status: 200, body: {}, delayMs: 5000 });
    expect(await client.getStatus('task_X')).toMatchObject({ ok: false, error: { kind: 'timeout', retryable: true } });
  });
});

describe('the status deadline', () => {
  it('GIVEN a status request that hangs WHEN the status deadline passes THEN a retryable timeout comes back at once, long before the 30 s headers timeout', async () => {
    await setUp({}, { timeouts: { statusMs: 300 } });
    fake.failNext('status', { status: 200, body: {}, delayMs: 20_000 });
    const started = Date.now();
    expect(await client.getStatus('task_X')).toMatchObject({ ok: false, error: { kind: 'timeout', retryable: true } });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("GIVEN the caller aborts a status request THEN it rejects with the caller's reason, not a timeout value", async () => {
    await setUp({}, { timeouts: { statusMs: 5_000 } });
    fake.failNext('status', { status: 200, body: {}, delayMs: 20_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stopping')), 100);
    await expect(client.getStatus('task_X', { signal: controller.signal })).rejects.toThrow('stopping');
  });
});

describe('logging', () => {
  it('GIVEN debug logging through successes and failures THEN neither the key nor the prompt appears', async () => {
    const lines: string[] = [];
    const logger: Logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
    await setUp({ apiKey: 'sk-live-VERY-SECRET-0123456789', pollsToComplete: 2 }, { logger });
    fake.failNext('submit', { status: 429, body: RATE_LIMITED, headers: { 'retry-after': '0' } });
    fake.failNext('submit', { status: 400, body: { error: { message: `bad ${fake.apiKey}`, type: 'x' } } });
    const submitted = await client.submit(SEED_REQUEST);
    expect(submitted.ok).toBe(false);
    const accepted = await client.submit(SEED_REQUEST);
    if (!accepted.ok) throw new Error('submit failed');
    fake.failNext('status', { status: 401, body: '<html>denied' });
    await client.getStatus(accepted.taskId);
    await client.getStatus(accepted.taskId);
    await client.getStatus(accepted.taskId);

    const output = lines.join('');
    expect(lines.length).toBeGreaterThan(4);
    expect(output).toContain(accepted.taskId);
    expect(output).not.toContain('sk-live-VERY-SECRET');
    expect(output).not.toContain('Bearer');
    expect(output).not.toContain(SEED_REQUEST.prompt);
  });
});

/** A port that was free a moment ago and now has no listener. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
