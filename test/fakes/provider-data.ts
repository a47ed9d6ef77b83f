/** Values the fake provider serves: task ids, task JSON in the documented shapes, a tiny MP4. */

export type FakeTaskState = 'pending' | 'processing' | 'completed' | 'failed';

export interface FakeTask {
  id: string;
  /** The create body as received. */
  body: unknown;
  createdAt: number;
  state: FakeTaskState;
  progress: number;
  /** Successful status answers served for this task. */
  polls: number;
  /** Set once a test drives the task by hand; automatic progression then stops. */
  manual: boolean;
  completedAt?: number;
  errorMessage?: string;
}

/** How the status answer is wrapped: documented `data` object, `data` array, or no envelope. */
export type StatusShape = 'default' | 'array' | 'flat';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `task_` + 26 Crockford base32 characters (ULID layout: 10 of time, 16 of sequence). */
export function ulidLikeTaskId(timeMs: number, sequence: number): string {
  return `task_${base32(timeMs, 10)}${base32(sequence, 16)}`;
}

function base32(value: number, width: number): string {
  let rest = Math.max(0, Math.floor(value));
  let out = '';
  for (let i = 0; i < width; i += 1) {
    out = CROCKFORD[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

const box = (type: string, payload: Buffer): Buffer => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + payload.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, payload]);
};

/**
 * A deterministic file framed like a complete MP4: `ftyp`, then `moov` (a movie header), then
 * `mdat` filled up to `size` bytes (default 1,156). Its boxes account for every byte, so cutting
 * it short anywhere leaves an incomplete last box.
 */
export function mp4Bytes(size = 1156): Buffer {
  const ftyp = box(
    'ftyp',
    Buffer.concat([Buffer.from('isom', 'latin1'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2avc1mp41', 'latin1')]),
  );
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1000, 12); // timescale
  mvhd.writeUInt32BE(6000, 16); // duration: 6 s
  const moov = box('moov', box('mvhd', mvhd));
  const room = Math.max(0, size - ftyp.length - moov.length - 8);
  const filler = Buffer.alloc(room);
  for (let i = 0; i < room; i += 1) filler[i] = (i * 31) % 251;
  return Buffer.concat([ftyp, moov, box('mdat', filler)]);
}

/** `bytes` with every top-level `moov` box left out: what a file cut before its movie header keeps. */
export function withoutMoov(bytes: Buffer): Buffer {
  const kept: Buffer[] = [];
  for (let offset = 0; offset + 8 <= bytes.length;) {
    const size = bytes.readUInt32BE(offset);
    if (size < 8) break;
    if (bytes.toString('latin1', offset + 4, offset + 8) !== 'moov') kept.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return Buffer.concat(kept);
}

/** The fake's default video: a small complete MP4 (see {@link mp4Bytes}). */
export function defaultVideoBytes(): Buffer {
  return mp4Bytes();
}

export interface TaskJsonContext {
  shape: StatusShape;
  urlForm: 'array' | 'string';
  fileUrl: string;
  estimatedTimeS: number;
  /** Result URLs are documented as temporary; the fake says they last 2 hours. */
  expiresInS?: number;
}

/** The status answer for a task, following the documented `GET /v1/tasks/{task_id}` shape. */
export function statusJson(task: FakeTask, context: TaskJsonContext): object {
  const seconds = (ms: number): number => Math.floor(ms / 1000);
  const data: Record<string, unknown> = {
    id: task.id,
    status: task.state,
    progress: task.progress,
    created: seconds(task.createdAt),
    estimated_time: context.estimatedTimeS,
  };
  if (task.state === 'completed' && task.completedAt !== undefined) {
    data.completed = seconds(task.completedAt);
    data.actual_time = Math.max(0, seconds(task.completedAt) - seconds(task.createdAt));
    data.result = {
      videos: [
        {
          url: context.urlForm === 'array' ? [context.fileUrl] : context.fileUrl,
          expires_at: seconds(task.completedAt) + (context.expiresInS ?? 7200),
        },
      ],
    };
  }
  if (task.state === 'failed') {
    data.error = { message: task.errorMessage ?? 'generation failed', type: 'task_failed' };
  }
  if (context.shape === 'flat') return data;
  return { code: 200, data: context.shape === 'array' ? [data] : data };
}

/** The seed's error body. */
export function errorJson(code: number, message: string, type: string): object {
  return { error: { code, message, type } };
}
