/** Classifies errors thrown by undici/Node sockets by their stable `code`, never by message text. */

export interface TransportFailure {
  kind: 'network' | 'timeout';
  /**
   * `before_send`: the request provably never reached the server (refused, DNS, connect timeout).
   * `after_send`: it may have been received (headers/body timeout, reset mid-exchange).
   * `unknown`: an unrecognised error; callers should assume it may have been sent.
   */
  phase: 'before_send' | 'after_send' | 'unknown';
  code?: string;
  /** A short description built from the error code and message: carries no request headers. */
  message: string;
}

const BEFORE_SEND_NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const AFTER_SEND_TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const CONNECT_TIMEOUT = new Set(['UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

/**
 * Maps a thrown transport error to a {@link TransportFailure}.
 *
 * Resets (`ECONNRESET`, undici's "other side closed") come before any response byte but possibly
 * after the server read the request, so their phase is `unknown`: an idempotent request may be
 * retried, a paid submission may not (it could be charged twice).
 */
export function classifyTransportError(error: unknown): TransportFailure {
  const code = errorCode(error);
  const message = describe(error, code);
  if (code !== undefined) {
    if (CONNECT_TIMEOUT.has(code)) return { kind: 'timeout', phase: 'before_send', code, message };
    if (AFTER_SEND_TIMEOUT.has(code)) return { kind: 'timeout', phase: 'after_send', code, message };
    if (BEFORE_SEND_NETWORK.has(code)) return { kind: 'network', phase: 'before_send', code, message };
    if (RESET.has(code)) return { kind: 'network', phase: 'unknown', code, message };
  }
  if (error instanceof Error && error.name === 'TimeoutError') {
    return { kind: 'timeout', phase: 'unknown', message };
  }
  return code === undefined ? { kind: 'network', phase: 'unknown', message } : { kind: 'network', phase: 'unknown', code, message };
}

/** The first string `code` on the error, its `cause`, or (happy-eyeballs) its aggregated errors. */
function errorCode(error: unknown, depth = 0): string | undefined {
  if (depth > 3 || typeof error !== 'object' || error === null) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const nested = (error as { errors?: unknown }).errors;
  if (Array.isArray(nested)) {
    for (const inner of nested) {
      const found = errorCode(inner, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return errorCode((error as { cause?: unknown }).cause, depth + 1);
}

function describe(error: unknown, code: string | undefined): string {
  const text = error instanceof Error ? error.message : String(error);
  const short = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  return code !== undefined && !short.includes(code) ? `${code}: ${short}` : short;
}
