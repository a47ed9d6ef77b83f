/**
 * Fake Discord gateway (v10, JSON encoding, uncompressed text frames) on a `ws`
 * WebSocketServer in noServer mode: HELLO, heartbeat ACKs, IDENTIFY → READY +
 * GUILD_CREATE per owned guild, RESUME with replay, and dispatch of events to
 * the session that owns a guild's shard.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { apiGuildCreate, apiUser } from './payloads.js';
import { shardForGuild } from './snowflake.js';
import type { FakeDiscordState } from './state.js';
import type { Json, JsonObject } from './types.js';

const HEARTBEAT_INTERVAL = 41250;
const MAX_BUFFERED_EVENTS = 1000;

interface GatewayEvent {
  s: number;
  t: string;
  d: Json;
}

interface Session {
  id: string;
  shard: [number, number];
  intents: number;
  seq: number;
  events: GatewayEvent[];
  socket: WebSocket | null;
  createdAt: number;
}

/** Options of {@link FakeGateway.disconnectAll}. */
export interface DisconnectOptions {
  /** Close code; 4000 (default) makes discord.js resume, 1000 makes it identify again. */
  code?: number;
  /** Drop sessions so a RESUME gets op 9 (invalid session) and the client identifies again. */
  invalidateSessions?: boolean;
  /** Kill TCP connections without a close frame (abnormal closure 1006). */
  terminate?: boolean;
}

/** The gateway half of the fake. */
export class FakeGateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sockets = new Set<WebSocket>();
  private readonly sessions = new Map<string, Session>();
  private readyHeld: Promise<void> | undefined;

  constructor(private readonly state: FakeDiscordState) {
    this.wss.on('connection', (socket) => this.onConnection(socket));
  }

  /** Number of open gateway sockets. */
  get connectionCount(): number {
    return this.sockets.size;
  }

  /** Number of identified sessions that currently have an open socket. */
  get liveSessionCount(): number {
    return [...this.sessions.values()].filter((s) => s.socket !== null).length;
  }

  /** Handles an HTTP upgrade for `/gateway`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  /**
   * Sends a dispatch event to the newest session owning the guild's shard (DMs: shard 0).
   * Events for a disconnected but resumable session are buffered and replayed on RESUME.
   * @returns false when no session owns the shard.
   */
  dispatch(guildId: string | null, t: string, d: Json): boolean {
    const session = this.sessionFor(guildId);
    if (!session) return false;
    this.send(session, t, d);
    return true;
  }

  /** Sends an event to every known session. */
  broadcast(t: string, d: Json): void {
    for (const session of this.sessions.values()) this.send(session, t, d);
  }

  /**
   * Until the returned function is called, IDENTIFY is recorded (as `identifies`) but READY and
   * the GUILD_CREATEs wait: what a bot does between its IDENTIFY and Discord's answer can be
   * looked at. Sessions identified meanwhile get theirs, in order, once released.
   */
  holdReady(): () => void {
    let release = () => undefined as void;
    this.readyHeld = new Promise<void>((resolve) => (release = resolve));
    const held = this.readyHeld;
    return () => {
      if (this.readyHeld === held) this.readyHeld = undefined;
      release();
    };
  }

  /** Closes all gateway sockets (for restart/resume tests). */
  disconnectAll(options: DisconnectOptions = {}): void {
    for (const socket of this.sockets) {
      if (options.terminate) socket.terminate();
      else socket.close(options.code ?? 4000, 'fake discord: forced disconnect');
    }
    if (options.invalidateSessions) this.sessions.clear();
  }

  /** Terminates all sockets and stops the WebSocket server. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private sessionFor(guildId: string | null): Session | undefined {
    let best: Session | undefined;
    for (const session of this.sessions.values()) {
      const [shardId, count] = session.shard;
      const owner = guildId === null ? 0 : shardForGuild(guildId, count);
      if (owner !== shardId) continue;
      // Prefer connected sessions, then the newest.
      const better =
        !best ||
        (session.socket !== null && best.socket === null) ||
        ((session.socket !== null) === (best.socket !== null) && session.createdAt >= best.createdAt);
      if (better) best = session;
    }
    return best;
  }

  private send(session: Session, t: string, d: Json): void {
    session.seq += 1;
    const event: GatewayEvent = { s: session.seq, t, d };
    session.events.push(event);
    if (session.events.length > MAX_BUFFERED_EVENTS) session.events.shift();
    if (session.socket) sendFrame(session.socket, { op: 0, t, s: event.s, d });
  }

  private onConnection(socket: WebSocket): void {
    this.sockets.add(socket);
    let session: Session | null = null;
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (session && session.socket === socket) session.socket = null;
    });
    socket.on('error', () => undefined);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const text = isBinary ? null : rawToString(data);
      let payload: JsonObject | null;
      try {
        const parsed = text === null ? null : (JSON.parse(text) as Json);
        payload = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : null;
      } catch {
        payload = null;
      }
      if (!payload) {
        socket.close(4002, 'Error while decoding payload.');
        return;
      }
      const d = payload['d'];
      switch (payload['op']) {
        case 1:
          sendFrame(socket, { op: 11 });
          return;
        case 2:
          if (session) return void socket.close(4005, 'Already authenticated.');
          session = this.identify(socket, asObject(d));
          return;
        case 6:
          if (session) return void socket.close(4005, 'Already authenticated.');
          session = this.resume(socket, asObject(d));
          return;
        case 3:
        case 4:
          return;
        case 8:
          if (!session) return void socket.close(4003, 'Not authenticated.');
          this.answerMemberRequest(session, asObject(d));
          return;
        default:
          socket.close(4001, 'Unknown opcode.');
      }
    });
    sendFrame(socket, { op: 10, d: { heartbeat_interval: HEARTBEAT_INTERVAL } });
  }

  private identify(socket: WebSocket, d: JsonObject): Session | null {
    if (d['token'] !== this.state.token && d['token'] !== `Bot ${this.state.token}`) {
      socket.close(4004, 'Authentication failed.');
      return null;
    }
    const rawShard = d['shard'];
    const shard: [number, number] =
      Array.isArray(rawShard) && typeof rawShard[0] === 'number' && typeof rawShard[1] === 'number' ? [rawShard[0], rawShard[1]] : [0, 1];
    if (shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1]) {
      socket.close(4010, 'Invalid shard.');
      return null;
    }
    const intents = typeof d['intents'] === 'number' ? d['intents'] : 0;
    const session: Session = {
      id: randomHex(16),
      shard,
      intents,
      seq: 0,
      events: [],
      socket,
      createdAt: this.state.clock(),
    };
    this.sessions.set(session.id, session);
    this.state.identifies.push({ intents, shard, sessionId: session.id, at: this.state.clock() });
    if (this.readyHeld) void this.readyHeld.then(() => this.sendReady(session));
    else this.sendReady(session);
    return session;
  }

  private sendReady(session: Session): void {
    const { shard } = session;
    const owned = [...this.state.guilds.values()].filter((g) => shardForGuild(g.id, shard[1]) === shard[0]);
    this.send(session, 'READY', {
      v: 10,
      user: { ...apiUser(this.state.botUser), bot: true, verified: true, mfa_enabled: false, flags: 0 },
      guilds: owned.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: `${this.gatewayUrl()}`,
      shard,
      application: { id: this.state.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      user_settings: {},
      _trace: ['fake-discord-gateway'],
    });
    for (const guild of owned) this.send(session, 'GUILD_CREATE', apiGuildCreate(this.state, guild));
  }

  private resume(socket: WebSocket, d: JsonObject): Session | null {
    const sessionId = d['session_id'];
    const session = typeof sessionId === 'string' ? this.sessions.get(sessionId) : undefined;
    const tokenOk = d['token'] === this.state.token || d['token'] === `Bot ${this.state.token}`;
    if (!tokenOk) {
      socket.close(4004, 'Authentication failed.');
      return null;
    }
    if (!session) {
      sendFrame(socket, { op: 9, d: false });
      return null;
    }
    if (session.socket && session.socket !== socket) session.socket.close(4000, 'Session resumed elsewhere.');
    session.socket = socket;
    const seq = typeof d['seq'] === 'number' ? d['seq'] : 0;
    for (const event of session.events) {
      if (event.s > seq) sendFrame(socket, { op: 0, t: event.t, s: event.s, d: event.d });
    }
    this.send(session, 'RESUMED', null);
    return session;
  }

  private answerMemberRequest(session: Session, d: JsonObject): void {
    const guildId = d['guild_id'];
    const ids = Array.isArray(guildId) ? guildId : [guildId];
    for (const id of ids) {
      if (typeof id !== 'string') continue;
      this.send(session, 'GUILD_MEMBERS_CHUNK', {
        guild_id: id,
        members: [],
        chunk_index: 0,
        chunk_count: 1,
        not_found: [],
        ...(typeof d['nonce'] === 'string' ? { nonce: d['nonce'] } : {}),
      });
    }
  }

  private gatewayUrl(): string {
    return `${this.state.baseUrl.replace(/^http/, 'ws')}/gateway`;
  }
}

function asObject(value: Json | undefined): JsonObject {
  return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function sendFrame(socket: WebSocket, payload: JsonObject): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(payload), { binary: false, compress: false });
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
