/**
 * A local fake of the xcompute video API (seed/xcompute-video-api.md + provider-notes.md) on
 * 127.0.0.1, for tests, demos and benchmarks: real HTTP, scriptable faults, controllable tasks.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultVideoBytes, withoutMoov, errorJson, statusJson, ulidLikeTaskId, type FakeTask, type StatusShape } from './provider-data.js';
import { drained, parseJson, readBody, send } from './provider-http.js';
import { validateSubmitBody } from './provider-validate.js';

export type { FakeTask, FakeTaskState, StatusShape } from './provider-data.js';

export type FakeRoute = 'submit' | 'status' | 'file';

/**
 * Ways a video download can break, as seen from real CDNs: `chunked_ends_early` (a chunked body
 * that ends cleanly after half the file), `short_body` (a full `content-length`, half the bytes,
 * then the connection closes), `no_moov` (a complete-looking file cut before its `moov` box: the
 * movie header that some encoders write last).
 */
export type FileBreak = 'chunked_ends_early' | 'short_body' | 'no_moov';

export interface FakeResponse {
  status: number;
  /** An object is sent as JSON; a string as-is (e.g. `<html>oops`). */
  body?: string | object;
  headers?: Record<string, string>;
  /** Wait this long before answering (longer than the client's timeout to provoke one). */
  delayMs?: number;
  /** Destroy the socket without answering: a connection reset before the response. */
  reset?: boolean;
}

export interface FakeProviderOptions {
  apiKey?: string;
  clock?: () => number;
  videoBytes?: Buffer;
  /** Per-task video bytes; wins over `videoBytes`/`setVideoBytes`. */
  videoBytesFor?: (taskId: string) => Buffer | undefined;
  statusShape?: StatusShape;
  /** `result.videos[0].url` as an array (default, as the notes show) or a plain string. */
  urlForm?: 'array' | 'string';
  /** Status polls until a task completes (default 3); `null` = only the manual controls move it. */
  pollsToComplete?: number | null;
  estimatedTimeS?: number;
}

export interface FakeSubmission {
  body: unknown;
  /** Request headers without `authorization`; see `authorized`. */
  headers: IncomingHttpHeaders;
  authorized: boolean;
  /** The HTTP status the fake answered (or will answer, when held). */
  status: number;
  taskId?: string;
  at: number;
}

export interface FakeProvider {
  baseUrl: string;
  apiKey: string;
  /** Every create request received, faulted ones included: `submissions.length` counts attempts. */
  submissions: FakeSubmission[];
  statusRequests: Array<{ taskId: string; at: number; status: number }>;
  fileRequests: Array<{ taskId: string; at: number; status: number }>;
  tasks: Map<string, FakeTask>;
  /** Answers the next `times` requests of `route` with `response` instead of normally. */
  failNext(route: FakeRoute, response: FakeResponse, times?: number): void;
  /** `hold`: accept and record create requests but keep the answer back until `releaseHeld()`. */
  setSubmitMode(mode: 'normal' | 'hold'): void;
  releaseHeld(): void;
  completeTask(taskId: string): void;
  failTask(taskId: string, message: string): void;
  setProgress(taskId: string, progress: number): void;
  setVideoBytes(bytes: Buffer, options?: { chunked?: boolean }): void;
  /** The next `times` video downloads break the way `mode` says (see {@link FileBreak}). */
  breakNextFile(mode: FileBreak, times?: number): void;
  /**
   * Status requests of the tasks `matches` selects wait `delayMs` before they are answered (a
   * hung upstream for those tasks only); `null` ends it for requests that arrive from then on.
   */
  slowStatus(matches: ((task: FakeTask) => boolean) | null, delayMs?: number): void;
  /**
   * Result URLs answered from now on are padded with a signature query to `length`
   * characters (signed object-store URLs run to 1,800+); 0 turns it off. Downloads ignore the query.
   */
  setSignedUrlLength(length: number): void;
  /** The result URL of a task, as the status answer gives it. */
  videoUrl(taskId: string): string;
  close(): Promise<void>;
}

/** Starts the fake on a random port of 127.0.0.1. */
export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const apiKey = options.apiKey ?? 'test-key';
  const clock = options.clock ?? Date.now;
  const pollsToComplete = options.pollsToComplete === undefined ? 3 : options.pollsToComplete;
  const faults = new Map<FakeRoute, Array<{ response: FakeResponse; remaining: number }>>();
  const timers = new Set<NodeJS.Timeout>();
  const held: Array<() => void> = [];
  let submitMode: 'normal' | 'hold' = 'normal';
  let videoBytes = options.videoBytes ?? defaultVideoBytes();
  let chunkedVideo = false;
  const fileBreaks: FileBreak[] = [];
  let slow: { matches: (task: FakeTask) => boolean; delayMs: number } | null = null;
  let signedUrlLength = 0;
  let sequence = 0;
  let baseUrl = '';

  const fake: FakeProvider = {
    baseUrl,
    apiKey,
    submissions: [],
    statusRequests: [],
    fileRequests: [],
    tasks: new Map(),
    failNext(route, response, times = 1) {
      const queue = faults.get(route) ?? [];
      queue.push({ response, remaining: times });
      faults.set(route, queue);
    },
    setSubmitMode(mode) {
      submitMode = mode;
    },
    releaseHeld() {
      for (const answer of held.splice(0)) answer();
    },
    completeTask(taskId) {
      const task = mustGet(taskId);
      Object.assign(task, { manual: true, state: 'completed', progress: 100, completedAt: clock() });
    },
    failTask(taskId, message) {
      Object.assign(mustGet(taskId), { manual: true, state: 'failed', errorMessage: message });
    },
    setProgress(taskId, progress) {
      Object.assign(mustGet(taskId), { manual: true, state: 'processing', progress });
    },
    setVideoBytes(bytes, setOptions) {
      videoBytes = bytes;
      chunkedVideo = setOptions?.chunked ?? false;
    },
    breakNextFile(mode, times = 1) {
      for (let i = 0; i < times; i += 1) fileBreaks.push(mode);
    },
    slowStatus(matches, delayMs = 60_000) {
      slow = matches ? { matches, delayMs } : null;
    },
    setSignedUrlLength(length) {
      signedUrlLength = length;
    },
    videoUrl: (taskId) => {
      const plain = `${baseUrl}/files/${encodeURIComponent(taskId)}.mp4`;
      const padding = signedUrlLength - plain.length - '?X-Signature='.length;
      return padding > 0 ? `${plain}?X-Signature=${'a0'.repeat(Math.ceil(padding / 2)).slice(0, padding)}` : plain;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      held.splice(0);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  function mustGet(taskId: string): FakeTask {
    const task = fake.tasks.get(taskId);
    if (!task) throw new Error(`fake provider: no task ${taskId}`);
    return task;
  }

  function takeFault(route: FakeRoute): FakeResponse | undefined {
    const entry = faults.get(route)?.[0];
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) faults.get(route)?.shift();
    return entry.response;
  }

  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function answerFault(req: IncomingMessage, res: ServerResponse, fault: FakeResponse): Promise<void> {
    if (fault.delayMs) await wait(fault.delayMs);
    if (fault.reset) {
      req.socket.destroy();
      return;
    }
    send(res, fault.status, fault.body, fault.headers);
  }

  async function onSubmit(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const authorized = req.headers.authorization === `Bearer ${apiKey}`;
    const headers = { ...req.headers };
    delete headers.authorization;
    const record: FakeSubmission = { body: parseJson(raw), headers, authorized, status: 0, at: clock() };
    fake.submissions.push(record);
    const fault = takeFault('submit');
    if (fault) {
      record.status = fault.status;
      return answerFault(req, res, fault);
    }
    if (!authorized) {
      record.status = 401;
      return send(res, 401, errorJson(401, '身份验证失败，请检查您的API密钥', 'authentication_error'));
    }
    const problem = record.body === undefined ? 'body must be JSON' : validateSubmitBody(record.body);
    if (problem) {
      record.status = 400;
      return send(res, 400, errorJson(400, `请求参数无效: ${problem}`, 'invalid_request_error'));
    }
    sequence += 1;
    const taskId = ulidLikeTaskId(clock(), sequence);
    fake.tasks.set(taskId, {
      id: taskId,
      body: record.body,
      createdAt: clock(),
      state: 'pending',
      progress: 0,
      polls: 0,
      manual: false,
    });
    record.taskId = taskId;
    record.status = 200;
    const answer = (): void => send(res, 200, { code: 200, data: [{ status: 'submitted', task_id: taskId }] });
    if (submitMode === 'hold') held.push(answer);
    else answer();
  }

  async function onStatus(req: IncomingMessage, res: ServerResponse, taskId: string): Promise<void> {
    const entry = { taskId, at: clock(), status: 200 };
    fake.statusRequests.push(entry);
    const fault = takeFault('status');
    if (fault) {
      entry.status = fault.status;
      return answerFault(req, res, fault);
    }
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      entry.status = 401;
      return send(res, 401, errorJson(401, '身份验证失败，请检查您的API密钥', 'authentication_error'));
    }
    const task = fake.tasks.get(taskId);
    if (!task) {
      entry.status = 404;
      return send(res, 404, errorJson(404, 'task not found', 'not_found_error'));
    }
    if (slow?.matches(task)) {
      await wait(slow.delayMs);
      if (req.socket.destroyed) return;
    }
    advance(task);
    send(
      res,
      200,
      statusJson(task, {
        shape: options.statusShape ?? 'default',
        urlForm: options.urlForm ?? 'array',
        fileUrl: fake.videoUrl(task.id),
        estimatedTimeS: options.estimatedTimeS ?? 60,
      }),
    );
  }

  /** Automatic progression: pending on the first poll, then processing, then completed. */
  function advance(task: FakeTask): void {
    task.polls += 1;
    if (task.manual || pollsToComplete === null || task.state === 'completed' || task.state === 'failed') return;
    if (task.polls >= pollsToComplete) {
      Object.assign(task, { state: 'completed', progress: 100, completedAt: clock() });
    } else if (task.polls > 1) {
      task.state = 'processing';
      task.progress = Math.min(99, Math.round((100 * (task.polls - 1)) / (pollsToComplete - 1)));
    }
  }

  async function onFile(req: IncomingMessage, res: ServerResponse, taskId: string): Promise<void> {
    const entry = { taskId, at: clock(), status: 200 };
    fake.fileRequests.push(entry);
    const fault = takeFault('file');
    if (fault) {
      entry.status = fault.status;
      return answerFault(req, res, fault);
    }
    if (!fake.tasks.has(taskId)) {
      entry.status = 404;
      return send(res, 404, 'not found');
    }
    const bytes = options.videoBytesFor?.(taskId) ?? videoBytes;
    const broken = fileBreaks.shift();
    if (broken) return serveBroken(res, bytes, broken);
    if (!chunkedVideo) {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(bytes.length) });
      res.end(bytes);
      return;
    }
    res.writeHead(200, { 'content-type': 'video/mp4' });
    for (let offset = 0; offset < bytes.length && !res.destroyed; offset += 16 * 1024) {
      if (!res.write(bytes.subarray(offset, offset + 16 * 1024))) await drained(res);
    }
    res.end();
  }

  async function serveBroken(res: ServerResponse, bytes: Buffer, mode: FileBreak): Promise<void> {
    const half = bytes.subarray(0, Math.floor(bytes.length / 2));
    if (mode === 'chunked_ends_early') {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      res.end(half);
    } else if (mode === 'short_body') {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(bytes.length) });
      res.write(half);
      await wait(20);
      res.destroy();
    } else {
      const cut = withoutMoov(bytes);
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(cut.length) });
      res.end(cut);
    }
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const status = /^\/v1\/tasks\/([^/]+)$/.exec(path);
    const file = /^\/files\/([^/]+)\.mp4$/.exec(path);
    let handled: Promise<void>;
    if (req.method === 'POST' && path === '/v1/videos/generations') handled = onSubmit(req, res);
    else if (req.method === 'GET' && status?.[1]) handled = onStatus(req, res, decodeURIComponent(status[1]));
    else if (req.method === 'GET' && file?.[1]) handled = onFile(req, res, decodeURIComponent(file[1]));
    else handled = Promise.resolve(send(res, 404, errorJson(404, 'no such route', 'not_found_error')));
    handled.catch(() => res.destroy());
  });
  // Idle connections stay open as long as real API front ends keep them (nginx 75 s, cloud load
  // balancers 60 s); close() ends them at once. undici reuses a connection only when the server's
  // Keep-Alive timeout exceeds its own 2 s margin: the 1 s this once had made every submission and
  // status poll open a new TCP connection, CPU a real provider never costs the bot.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.baseUrl = baseUrl;
  return fake;
}
