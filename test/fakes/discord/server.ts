/**
 * The single node:http server of the fake: REST under `/api`, CDN under `/cdn`,
 * gateway upgrades on `/gateway`. Parses bodies, checks bot auth, applies injected
 * faults and latency, and records every request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { botRoutes } from './bot-routes.js';
import { cdnRoutes } from './cdn.js';
import type { FakeGateway } from './gateway.js';
import { apiError, errors, writeResult, type RouteResult } from './http-util.js';
import { interactionRoutes } from './interaction-routes.js';
import { BodyParseError, parseBody, readRawBody, type ParsedBody } from './multipart.js';
import { matchRoute, type Route } from './router.js';
import type { FakeDiscordState } from './state.js';
import type { RecordedRequest } from './types.js';

const ROUTES: Route[] = [...interactionRoutes, ...botRoutes, ...cdnRoutes];

/** A started server. */
export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

/** Decoded path without the `/api` prefix. */
function routePath(pathname: string): string {
  const decoded = pathname
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/');
  return decoded.startsWith('/api/') ? decoded.slice(4) : decoded;
}

function isBotAuth(header: string | undefined, token: string): boolean {
  return header === `Bot ${token}`;
}

async function route(
  state: FakeDiscordState,
  gateway: FakeGateway,
  req: IncomingMessage,
  method: string,
  path: string,
  query: URLSearchParams,
  parsed: ParsedBody,
  record: RecordedRequest,
): Promise<RouteResult> {
  const match = matchRoute(ROUTES, method, path);
  if (!match) {
    record.unknownRoute = true;
    return errors.notFound();
  }
  if (match.route.auth === 'bot' && !isBotAuth(req.headers.authorization, state.token)) return errors.unauthorized();
  const json = parsed.json;
  return match.route.handle({
    state,
    gateway,
    method,
    path,
    params: match.params,
    query,
    body: json && typeof json === 'object' && !Array.isArray(json) ? json : {},
    rawJson: json,
    files: parsed.files,
    headers: req.headers,
  });
}

async function handle(state: FakeDiscordState, gateway: FakeGateway, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = (req.method ?? 'GET').toUpperCase();
  const path = routePath(url.pathname);
  const authHeader = req.headers.authorization;
  const record: RecordedRequest = {
    method,
    path,
    query: Object.fromEntries(url.searchParams.entries()),
    auth: authHeader?.startsWith('Bot ') ? 'bot' : 'none',
    body: undefined,
    files: [],
    status: 0,
    at: state.clock(),
    unknownRoute: false,
    injected: false,
  };
  let result: RouteResult | undefined;
  try {
    const raw = await readRawBody(req);
    let parsed: ParsedBody = { json: undefined, files: [] };
    try {
      parsed = await parseBody(raw, req.headers['content-type']);
    } catch (error) {
      if (!(error instanceof BodyParseError)) throw error;
      result = apiError(400, error.code, error.message);
    }
    record.body = parsed.json;
    record.files = parsed.files.map((f) => ({ name: f.filename, size: f.data.length, contentType: f.contentType }));
    if (state.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, state.latencyMs));
    const fault = result ? undefined : state.takeFault(method, path, parsed.files.length > 0);
    if (fault?.land) result = await route(state, gateway, req, method, path, url.searchParams, parsed, record);
    if (fault) {
      record.injected = true;
      result = { status: fault.status, body: fault.body ?? {}, ...(fault.headers ? { headers: fault.headers } : {}) };
      if (fault.hang) {
        // No answer: the client times out (its socket is closed with the server).
        record.status = 0;
        state.requests.push(record);
        return;
      }
    }
    result ??= await route(state, gateway, req, method, path, url.searchParams, parsed, record);
  } catch (error) {
    result = { status: 500, body: { message: `fake discord error: ${String(error)}`, code: 0 } };
  }
  record.status = result.status;
  state.requests.push(record);
  if (!res.headersSent) writeResult(res, result);
}

/**
 * Starts the HTTP + WebSocket server on 127.0.0.1.
 * @param port 0 for a random free port.
 */
export async function startServer(state: FakeDiscordState, gateway: FakeGateway, port = 0): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    void handle(state, gateway, req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req, socket, head) => {
    const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (pathname === '/gateway' || pathname === '/gateway/') gateway.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    close: async () => {
      await gateway.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}
