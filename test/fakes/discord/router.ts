/** Route table types and matching. */
import type { IncomingHttpHeaders } from 'node:http';
import type { FakeGateway } from './gateway.js';
import type { RouteResult } from './http-util.js';
import type { UploadedFile } from './multipart.js';
import type { FakeDiscordState } from './state.js';
import type { Json, JsonObject } from './types.js';

/** Everything a route handler gets. */
export interface RouteContext {
  state: FakeDiscordState;
  gateway: FakeGateway;
  method: string;
  /** Path without `/api` and query, e.g. `/v10/users/@me`. */
  path: string;
  /** Capture groups of the route pattern. */
  params: string[];
  query: URLSearchParams;
  /** The JSON body (or `payload_json`) when it is an object, else `{}`. */
  body: JsonObject;
  rawJson: Json | undefined;
  files: UploadedFile[];
  headers: IncomingHttpHeaders;
}

/** One route. `auth: 'bot'` requires `Authorization: Bot <token>`. */
export interface Route {
  methods: string[];
  pattern: RegExp;
  auth: 'bot' | 'none';
  handle(ctx: RouteContext): RouteResult | Promise<RouteResult>;
}

/** Finds the first route matching method and (decoded) path; returns its params. */
export function matchRoute(routes: Route[], method: string, path: string): { route: Route; params: string[] } | undefined {
  for (const route of routes) {
    if (!route.methods.includes(method)) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, params: match.slice(1).map((p) => p ?? '') };
  }
  return undefined;
}
