/** Plain values exchanged with a video provider. No transport or Discord types on purpose. */

export type VideoModel = 'MiniMax-Hailuo-2.3' | 'MiniMax-Hailuo-2.3-Fast';
export type VideoResolution = '768p' | '1080p';
export type VideoDuration = 6 | 10;

export interface GenerationRequest {
  model: VideoModel;
  prompt: string;
  duration: VideoDuration;
  resolution: VideoResolution;
  /** A public URL or a `data:image/…;base64,` URI. Required by the Fast model. */
  firstFrameImage?: string;
  promptOptimizer: boolean;
  fastPretreatment: boolean;
  watermark: boolean;
}

export type ProviderErrorKind =
  'invalid_request' | 'auth' | 'payment' | 'rate_limited' | 'server' | 'network' | 'timeout' | 'bad_response' | 'not_found';

export interface ProviderError {
  kind: ProviderErrorKind;
  status?: number;
  /** The provider's `error.type`, e.g. `rate_limit_error`. */
  providerType?: string;
  /** The provider's own message (safe to show: never contains our key). */
  message?: string;
  retryAfterMs?: number;
  retryable: boolean;
  /** True when the request may have reached the provider and been accepted (e.g. timed out after sending). */
  ambiguous?: boolean;
}

export type SubmitResult = { ok: true; taskId: string; status: string } | { ok: false; error: ProviderError };

export type TaskPhase = 'queued' | 'running' | 'succeeded' | 'failed';

export interface TaskStatus {
  phase: TaskPhase;
  /** The provider's status word as sent (not lower-cased), for logs. */
  rawStatus: string;
  /** 0–100. */
  progress?: number;
  /**
   * Set when the provider named one. A `succeeded` status may lack it (e.g. a provider that returns
   * a file id instead): the caller decides whether that is a failure.
   */
  videoUrl?: string;
  /** Milliseconds since the epoch; result URLs are temporary. */
  videoExpiresAt?: number;
  estimatedTimeS?: number;
  actualTimeS?: number;
  errorMessage?: string;
}

export type StatusResult = { ok: true; status: TaskStatus } | { ok: false; error: ProviderError };

export interface SubmitOptions {
  signal?: AbortSignal;
  /** Called once when the submission has to wait for a turn in the shared rate budget. */
  onWaiting?: () => void;
}

export interface VideoProvider {
  /**
   * Creates a generation task. Retries only where a retry cannot cause a second charge.
   * Aborting `signal` rejects with its reason.
   */
  submit(request: GenerationRequest, options?: SubmitOptions): Promise<SubmitResult>;
  /** One status query, no retries: the caller's poller is the retry loop. */
  getStatus(taskId: string, options?: { signal?: AbortSignal }): Promise<StatusResult>;
  /** Releases sockets owned by the provider (not an injected dispatcher). */
  close(): Promise<void>;
}
