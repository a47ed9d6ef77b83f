import type { Store } from '../store/types.js';

/** What /healthz answers, as JSON. */
export interface HealthReport {
  ok: boolean;
  gateway: { connected: boolean; shards?: Array<{ id: number; status: string }> };
  store: { kind: Store['kind']; reachable: boolean; latencyMs: number };
}

/** The gateway's state, as the Discord layer reads it. */
export type GatewayStatus = () => HealthReport['gateway'];

/** What the health check asks, and how long it waits for the store. */
export interface HealthCheckOptions {
  gateway: GatewayStatus;
  store: Pick<Store, 'kind' | 'ping'>;
  /** A store that has not answered within this is reported unreachable (default 2 s). */
  timeoutMs?: number;
}

/**
 * Builds the health check: healthy when the gateway is connected and the store answers. The store
 * ping is bounded by a timeout because a Redis client queues commands while it reconnects, and a
 * health probe that hangs is worse than one that says no.
 */
export function createHealthCheck(options: HealthCheckOptions): () => Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  return async () => {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const reachable = await Promise.race([options.store.ping().catch(() => false), timedOut]);
    clearTimeout(timer);
    const gateway = options.gateway();
    return {
      ok: gateway.connected && reachable,
      gateway,
      store: { kind: options.store.kind, reachable, latencyMs: Math.round(performance.now() - started) },
    };
  };
}
