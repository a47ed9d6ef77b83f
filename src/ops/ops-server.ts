import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../log.js';
import type { HealthReport } from './health.js';

/** Where to listen and what to answer with. */
export interface OpsServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Interface to listen on; all of them by default, so Prometheus and Docker can reach it. */
  host?: string;
  registry: Registry;
  health: () => Promise<HealthReport>;
  logger?: Logger;
}

/** A running ops endpoint. */
export interface OpsServer {
  /** The port actually bound. */
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `GET /healthz` (200 or 503, JSON) and `GET /metrics` (Prometheus text). */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://ops').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    if (path === '/healthz') {
      const report = await options.health();
      return send(res, report.ok ? 200 : 503, 'application/json', JSON.stringify(report));
    }
    if (path === '/metrics') return send(res, 200, options.registry.contentType, await options.registry.metrics());
    return send(res, 404, 'text/plain', 'not found: try /healthz or /metrics\n');
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      options.logger?.error({ err, path: req.url }, 'ops endpoint failed');
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
      else res.destroy();
    });
  });
  // Scrapes are short; idle keep-alive sockets must not hold up a shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
