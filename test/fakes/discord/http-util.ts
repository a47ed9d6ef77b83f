/** Route result type and helpers for Discord-style JSON answers and errors. */
import type { ServerResponse } from 'node:http';

/** What a route handler answers. `body` is JSON-encoded unless `raw` is set. */
export interface RouteResult {
  status: number;
  body?: unknown;
  raw?: Buffer;
  headers?: Record<string, string>;
}

/** A 200 (or other) JSON answer. */
export function json(body: unknown, status = 200): RouteResult {
  return { status, body };
}

/** A 204 answer without body. */
export function noContent(): RouteResult {
  return { status: 204 };
}

/** A Discord error answer `{ message, code }`. */
export function apiError(status: number, code: number, message: string): RouteResult {
  return { status, body: { message, code } };
}

/** Common Discord errors. */
export const errors = {
  unauthorized: () => apiError(401, 0, '401: Unauthorized'),
  notFound: () => apiError(404, 0, '404: Not Found'),
  unknownChannel: () => apiError(404, 10003, 'Unknown Channel'),
  unknownMessage: () => apiError(404, 10008, 'Unknown Message'),
  unknownWebhook: () => apiError(404, 10015, 'Unknown Webhook'),
  unknownInteraction: () => apiError(404, 10062, 'Unknown interaction'),
  alreadyAcknowledged: () => apiError(400, 40060, 'Interaction has already been acknowledged.'),
  invalidWebhookToken: () => apiError(401, 50027, 'Invalid Webhook Token'),
  missingAccess: () => apiError(403, 50001, 'Missing Access'),
  missingPermissions: () => apiError(403, 50013, 'Missing Permissions'),
  tooLarge: () => apiError(413, 40005, 'Request entity too large'),
  emptyMessage: () => apiError(400, 50006, 'Cannot send an empty message'),
  invalidForm: (detail: string) => ({
    status: 400,
    body: { message: 'Invalid Form Body', code: 50035, errors: { _errors: [{ code: 'BASE_TYPE_INVALID', message: detail }] } },
  }),
};

/** Writes a route result: JSON with `Content-Type: application/json`, 204 without body. */
export function writeResult(res: ServerResponse, result: RouteResult): void {
  const headers: Record<string, string> = { ...result.headers };
  if (result.status === 204 || result.status === 304) {
    res.writeHead(result.status, headers);
    res.end();
    return;
  }
  if (result.raw) {
    res.writeHead(result.status, headers);
    res.end(result.raw);
    return;
  }
  const text = JSON.stringify(result.body ?? null);
  headers['Content-Type'] = 'application/json';
  headers['Content-Length'] = String(Buffer.byteLength(text));
  res.writeHead(result.status, headers);
  res.end(text);
}
