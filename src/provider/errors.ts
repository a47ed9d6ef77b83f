/** Turning HTTP answers and transport failures into typed {@link ProviderError} values. */
import { z } from 'zod';
import { parseRetryAfter } from '../http/retry.js';
import { classifyTransportError } from '../http/transport-error.js';
import type { ProviderError, ProviderErrorKind } from './types.js';

/** The seed's `{"error":{"code","message","type"}}`, plus the looser forms resellers use. */
const ErrorEnvelope = z.union([
  z.object({
    error: z.object({
      code: z.union([z.number(), z.string()]).optional(),
      message: z.string().optional(),
      type: z.string().optional(),
    }),
  }),
  z.object({ error: z.string() }),
  z.object({ message: z.string(), type: z.string().optional() }),
]);

export interface ErrorEnvelopeFields {
  code?: number;
  message?: string;
  type?: string;
}

const MAX_MESSAGE_CHARS = 500;

/** Extracts code/message/type from an error body; `undefined` for anything else (HTML, junk). */
export function readErrorEnvelope(body: unknown): ErrorEnvelopeFields | undefined {
  const parsed = ErrorEnvelope.safeParse(body);
  if (!parsed.success) return undefined;
  const data = parsed.data;
  if ('error' in data) {
    if (typeof data.error === 'string') return { message: data.error };
    const code = Number(data.error.code);
    return {
      ...(Number.isInteger(code) ? { code } : {}),
      ...(data.error.message !== undefined ? { message: data.error.message } : {}),
      ...(data.error.type !== undefined ? { type: data.error.type } : {}),
    };
  }
  return { message: data.message, ...(data.type !== undefined ? { type: data.type } : {}) };
}

/**
 * The HTTP-like status an answer really carries: some resellers send HTTP 200 with an error
 * envelope whose `code` is the actual status.
 */
export function effectiveStatus(httpStatus: number, body: unknown): number {
  if (httpStatus < 200 || httpStatus >= 300) return httpStatus;
  const code = readErrorEnvelope(body)?.code;
  return code !== undefined && code >= 400 && code <= 599 ? code : httpStatus;
}

export interface ResponseErrorContext {
  /** The `Retry-After` header, if any. */
  retryAfter?: string | string[];
  now?: number;
  /** Scrubbed from the provider's message in case it echoes our credentials back. */
  secret?: string;
}

/** Maps a non-success HTTP status and its (parsed JSON or raw text) body to a ProviderError. */
export function errorFromResponse(status: number, body: unknown, context: ResponseErrorContext = {}): ProviderError {
  const envelope = readErrorEnvelope(body);
  const kind = kindOfStatus(status);
  const error: ProviderError = { kind, status, retryable: isRetryable(kind) };
  if (envelope?.type !== undefined) error.providerType = envelope.type;
  if (envelope?.message !== undefined && envelope.message.trim() !== '') {
    error.message = safeMessage(envelope.message, context.secret);
  }
  const retryAfterMs = parseRetryAfter(context.retryAfter, context.now);
  if (retryAfterMs !== undefined) error.retryAfterMs = retryAfterMs;
  return error;
}

/**
 * Maps a thrown transport error. For a non-idempotent request (submit) anything that may have
 * reached the provider is `ambiguous` and not retryable: a second POST could be a second charge.
 */
export function errorFromTransport(thrown: unknown, options: { idempotent: boolean }): ProviderError {
  const failure = classifyTransportError(thrown);
  const mayHaveArrived = failure.phase !== 'before_send';
  if (!options.idempotent && mayHaveArrived) {
    return { kind: failure.kind, message: failure.message, retryable: false, ambiguous: true };
  }
  return { kind: failure.kind, message: failure.message, retryable: true };
}

/** A `bad_response` error: the provider answered, but not in a shape we can use. */
export function badResponse(status: number, message: string, retryable: boolean): ProviderError {
  return { kind: 'bad_response', status, message, retryable };
}

function kindOfStatus(status: number): ProviderErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 402) return 'payment';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server';
  if (status >= 400) return 'invalid_request';
  return 'bad_response';
}

function isRetryable(kind: ProviderErrorKind): boolean {
  // 408 means the server gave up reading our request, so it was not processed.
  return kind === 'rate_limited' || kind === 'server' || kind === 'timeout';
}

function safeMessage(message: string, secret: string | undefined): string {
  const scrubbed = secret ? message.split(secret).join('[redacted]') : message;
  return scrubbed.length > MAX_MESSAGE_CHARS ? `${scrubbed.slice(0, MAX_MESSAGE_CHARS)}…` : scrubbed;
}
