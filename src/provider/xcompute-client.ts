/** The xcompute.us video API as a {@link VideoProvider}. */
import type { Dispatcher } from 'undici';
import { lazyAgent } from '../http/undici.js';
import type { Logger } from '../log.js';
import { exchangeJson, type ExchangeAnswer } from '../http/exchange.js';
import { sleep as defaultSleep } from '../http/retry.js';
import { badResponse, effectiveStatus, errorFromResponse, errorFromTransport } from './errors.js';
import { decideRetry, DEFAULT_RETRY, type RetryPolicy } from './retry-policy.js';
import { parseTaskStatus } from './status-parser.js';
import type { GenerationRequest, ProviderError, StatusResult, SubmitResult, VideoProvider } from './types.js';
import { readSubmitAnswer, toSubmitBody } from './xcompute-wire.js';
import { codePointLength } from '../text/code-points.js';

/** The documented status route; `{task_id}` is replaced by the URL-encoded id. */
export const DEFAULT_STATUS_PATH = '/v1/tasks/{task_id}';
const SUBMIT_PATH = '/v1/videos/generations';
/** Default deadline of one status request, everything included. */
export const DEFAULT_STATUS_TIMEOUT_MS = 10_000;

export interface XComputeClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Must contain `{task_id}`; defaults to {@link DEFAULT_STATUS_PATH}. */
  statusPath?: string;
  logger: Logger;
  /** When given, the caller owns it: timeouts apply per request and `close()` leaves it open. */
  dispatcher?: Dispatcher;
  /**
   * `statusMs` is the whole deadline of one status request (connect, headers and body together;
   * default 10 s): a status the provider does not give in time is a retryable `timeout`, asked
   * again on the poller's next round. The others bound each phase of every request (30 s).
   */
  timeouts?: { connectMs?: number; headersMs?: number; bodyMs?: number; statusMs?: number };
  retry?: Partial<Omit<RetryPolicy, 'random'>>;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Creates the client. Submit retries 429/5xx/refused connections with backoff (honouring
 * Retry-After); it never retries once the provider may have accepted the task. getStatus makes one
 * attempt. Caller aborts reject with the signal's reason; every other failure is a value.
 *
 * @throws Error when `statusPath` has no `{task_id}` placeholder (a configuration mistake).
 */
export function createXComputeClient(options: XComputeClientOptions): VideoProvider {
  const base = options.baseUrl.replace(/\/+$/, '');
  const statusPath = options.statusPath ?? DEFAULT_STATUS_PATH;
  if (!statusPath.includes('{task_id}')) throw new Error('statusPath must contain {task_id}');
  const connectMs = options.timeouts?.connectMs ?? 10_000;
  const headersMs = options.timeouts?.headersMs ?? 30_000;
  const bodyMs = options.timeouts?.bodyMs ?? 30_000;
  // Far below the 30 s per-phase timeouts: a hung status request must not keep a job (or its
  // poller slot) waiting, and a poll that misses costs only a later poll.
  const statusMs = options.timeouts?.statusMs ?? DEFAULT_STATUS_TIMEOUT_MS;
  const ownAgent = options.dispatcher
    ? undefined
    : lazyAgent({
        keepAliveTimeout: 10_000,
        connect: { timeout: connectMs },
        headersTimeout: headersMs,
        bodyTimeout: bodyMs,
      });
  const given = options.dispatcher;
  const dispatcherOf = (): Promise<Dispatcher> => (given ? Promise.resolve(given) : ownAgent!.get());
  const policy: RetryPolicy = {
    maxAttempts: options.retry?.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
    baseDelayMs: options.retry?.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: options.retry?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
    maxRetryAfterMs: options.retry?.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs,
    random: options.random ?? Math.random,
  };
  const wait = options.sleep ?? defaultSleep;
  const log = options.logger.child({ component: 'xcompute' });
  const secret = options.apiKey;
  // Built once; the header object itself is never logged.
  const headers = { authorization: `Bearer ${options.apiKey}`, accept: 'application/json' };
  let closed = false;

  const send = async (method: 'GET' | 'POST', url: string, body: string | undefined, signal?: AbortSignal) =>
    exchangeJson(url, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      dispatcher: await dispatcherOf(),
      headersTimeoutMs: headersMs,
      bodyTimeoutMs: bodyMs,
      ...(body !== undefined ? { body } : {}),
      ...(signal ? { signal } : {}),
    });

  async function submitOnce(body: string, signal?: AbortSignal): Promise<SubmitResult> {
    let answer: ExchangeAnswer;
    try {
      answer = await send('POST', `${base}${SUBMIT_PATH}`, body, signal);
    } catch (thrown) {
      if (signal?.aborted) throw signal.reason;
      return { ok: false, error: errorFromTransport(thrown, { idempotent: false }) };
    }
    if (signal?.aborted) throw signal.reason;
    const accepted = answer.status >= 200 && answer.status < 300 ? readSubmitAnswer(answer.body) : undefined;
    if (accepted) return { ok: true, ...accepted };
    const status = effectiveStatus(answer.status, answer.body);
    if (status >= 200 && status < 300) {
      // A 2xx may mean a task exists that we cannot name: never resubmit, let the caller reconcile.
      const error = answer.readFailure
        ? errorFromTransport(answer.readFailure, { idempotent: false })
        : badResponse(status, 'the answer has no task id', false);
      return { ok: false, error: { ...error, status, retryable: false, ambiguous: true } };
    }
    return { ok: false, error: errorOf(status, answer) };
  }

  return {
    async submit(request: GenerationRequest, callOptions?: { signal?: AbortSignal }): Promise<SubmitResult> {
      const signal = callOptions?.signal;
      const body = JSON.stringify(toSubmitBody(request));
      // The prompt is user content: only its length is logged.
      const { model, duration, resolution } = request;
      log.debug({ model, duration, resolution, promptChars: codePointLength(request.prompt) }, 'submitting generation task');
      for (let attempt = 1; ; attempt += 1) {
        const result = await submitOnce(body, signal);
        if (result.ok) {
          log.debug({ taskId: result.taskId, status: result.status, attempt }, 'generation task accepted');
          return result;
        }
        const decision = decideRetry(result.error, attempt, policy);
        if (!decision.retry) {
          log.warn(errorFields(result.error, attempt), 'generation task not submitted');
          return result;
        }
        log.debug({ ...errorFields(result.error, attempt), delayMs: decision.delayMs }, 'retrying submit');
        await wait(decision.delayMs, signal);
      }
    },

    async getStatus(taskId: string, callOptions?: { signal?: AbortSignal }): Promise<StatusResult> {
      const signal = callOptions?.signal;
      const url = `${base}${statusPath.split('{task_id}').join(encodeURIComponent(taskId))}`;
      const deadline = AbortSignal.timeout(statusMs);
      const overdue = (): StatusResult =>
        statusFailure(taskId, { kind: 'timeout', message: `no status answer within ${statusMs} ms`, retryable: true });
      let answer: ExchangeAnswer;
      try {
        answer = await send('GET', url, undefined, signal ? AbortSignal.any([signal, deadline]) : deadline);
      } catch (thrown) {
        if (signal?.aborted) throw signal.reason;
        if (deadline.aborted) return overdue();
        return statusFailure(taskId, errorFromTransport(thrown, { idempotent: true }));
      }
      if (signal?.aborted) throw signal.reason;
      if (deadline.aborted && answer.readFailure) return overdue();
      if (answer.status >= 200 && answer.status < 300) {
        // Read the task first: a failed task's own `error.code` must not be mistaken for an HTTP error.
        const status = parseTaskStatus(answer.body);
        if (status) {
          const { rawStatus, phase, progress } = status;
          log.debug({ taskId, status: rawStatus, phase, progress }, 'task status');
          return { ok: true, status };
        }
      }
      const status = effectiveStatus(answer.status, answer.body);
      if (status >= 200 && status < 300) {
        const error = answer.readFailure
          ? errorFromTransport(answer.readFailure, { idempotent: true })
          : badResponse(status, 'unreadable task status answer', true);
        return statusFailure(taskId, { ...error, status });
      }
      return statusFailure(taskId, errorOf(status, answer));
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await ownAgent?.close();
    },
  };

  function errorOf(status: number, answer: ExchangeAnswer): ProviderError {
    return errorFromResponse(status, answer.body, { retryAfter: answer.headers['retry-after'], secret });
  }

  function statusFailure(taskId: string, error: ProviderError): StatusResult {
    const fields = { taskId, ...errorFields(error) };
    if (error.retryable) log.debug(fields, 'task status query failed');
    else log.warn(fields, 'task status query failed');
    return { ok: false, error };
  }
}

/** Log fields for an error: kind and status only, no message text (it may quote user input), never headers. */
function errorFields(error: ProviderError, attempt?: number): Record<string, unknown> {
  return {
    kind: error.kind,
    status: error.status,
    providerType: error.providerType,
    retryAfterMs: error.retryAfterMs,
    ambiguous: error.ambiguous,
    ...(attempt !== undefined ? { attempt } : {}),
  };
}
