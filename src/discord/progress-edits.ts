import { createHash } from 'node:crypto';
import type { Job } from '../jobs/job.js';
import type { MessagePayload, ReplyChannel } from './reply-channel.js';

/** Progress edits handed to Discord at once, across every reply (see {@link createProgressEdits}). */
export const DEFAULT_EDITS_IN_FLIGHT = 10;
/** An edit holding its slot this long (a rate-limited or hung route) gives the slot to the next reply. */
export const EDIT_SLOT_HOLD_MS = 2_000;

/**
 * What a view looks like, compared to decide whether an edit is needed: a digest rather than the
 * body's JSON (1–2 kB), which every reply in flight would otherwise keep twice.
 */
const viewKey = (body: MessagePayload['body']): string => createHash('sha256').update(JSON.stringify(body)).digest('base64');

interface ReplyState {
  job: Job;
  /** What the reply shows now (the last edit that went through). */
  shownKey: string;
  /** What the edit in flight will show once it lands. */
  sendingKey: string | null;
  lastEditAt: number;
  /** The newest view not yet sent; older unsent views are simply replaced. */
  pending: { key: string; payload: MessagePayload } | null;
  inFlight: Promise<void> | null;
  timer: NodeJS.Timeout | null;
  /** The reply cannot be edited any more: progress stops, the job does not. */
  gone: boolean;
}

/**
 * Progress edits of replies, coalesced: at most one edit in flight per reply, at least
 * `minGapMs` between two, only when what the reply shows changed, and never blocking the poller
 * (a rate-limited Discord slows the edits, not the jobs).
 *
 * At most `maxInFlight` edits are handed to Discord at once; the other replies wait their turn
 * here, first come first served, where a newer view replaces an older one. So when thousands of
 * replies change at once (a burst of `/video`, a long line moving), each reply's edit carries the
 * view that is newest when it goes out: before, every view was queued in discord.js' own rate
 * limiter (50 requests a second) and sent, however stale, tens of seconds later.
 */
export function createProgressEdits(
  channel: ReplyChannel,
  clock: () => number,
  minGapMs: number,
  maxInFlight = DEFAULT_EDITS_IN_FLIGHT,
  slotHoldMs = EDIT_SLOT_HOLD_MS,
) {
  const replies = new Map<string, ReplyState>();
  // Replies with a view to send, waiting for a slot; a Set keeps the order they joined in.
  const waiting = new Set<ReplyState>();
  let slotsTaken = 0;
  // Jobs whose final message was sent: a progress view drawn from a record read just before the
  // ending (the line's refresh, a poll in flight) must not overwrite it. Kept 10 minutes, longer
  // than any read can be in flight.
  const settled = new Map<string, number>();
  const SETTLED_KEEP_MS = 10 * 60_000;

  const pump = (state: ReplyState) => {
    if (state.gone || state.inFlight || state.timer || !state.pending) return;
    const wait = state.lastEditAt + minGapMs - clock();
    if (wait > 0) {
      state.timer = setTimeout(() => {
        state.timer = null;
        pump(state);
      }, wait);
      state.timer.unref();
      return;
    }
    if (slotsTaken >= maxInFlight) {
      waiting.add(state);
      return;
    }
    waiting.delete(state);
    const { key, payload } = state.pending;
    state.pending = null;
    state.sendingKey = key;
    slotsTaken += 1;
    let holding = true;
    const release = () => {
      if (!holding) return;
      holding = false;
      slotsTaken -= 1;
      next();
    };
    const hold = setTimeout(release, slotHoldMs);
    hold.unref();
    state.inFlight = channel
      .editReply(state.job, payload)
      .then((result) => {
        state.shownKey = key;
        state.lastEditAt = clock();
        // Also `forbidden` (no Embed Links): progress would be refused every time; the final
        // message finds its own way (see final-message.ts).
        if (result === 'gone' || result === 'token_expired' || result === 'forbidden') state.gone = true;
      })
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(hold);
        state.inFlight = null;
        state.sendingKey = null;
        release();
        pump(state);
      });
  };

  /** Gives free slots to the replies that waited longest. */
  const next = () => {
    for (const state of waiting) {
      if (slotsTaken >= maxInFlight) return;
      waiting.delete(state);
      pump(state);
    }
  };

  return {
    /** Asks for the reply to show `payload`; returns at once. */
    show(job: Job, payload: MessagePayload): void {
      if (settled.has(job.id)) return;
      const key = viewKey(payload.body);
      const state = replies.get(job.id) ?? {
        job,
        shownKey: '',
        sendingKey: null,
        lastEditAt: 0,
        pending: null,
        inFlight: null,
        timer: null,
        gone: false,
      };
      replies.set(job.id, state);
      // A view drawn from an older record than one already asked for (the line's refresh read the
      // job just before it was sent) must not bring back what the newer one removed.
      if (job.updatedAt < state.job.updatedAt) return;
      state.job = job;
      if (state.gone || key === state.pending?.key) return;
      // The view the reply will show without this call: the edit in flight's, else the current one.
      // Asking for it again sends nothing (before, a view asked for while its own edit was in
      // flight was sent a second time once that edit landed), and drops an older pending view.
      if (key === (state.sendingKey ?? state.shownKey)) {
        state.pending = null;
        return;
      }
      state.pending = { key, payload };
      pump(state);
    },
    /** Drops unsent progress and waits for an edit in flight, before the final message. */
    async settle(jobId: string): Promise<void> {
      const now = clock();
      for (const [id, at] of settled) {
        if (now - at < SETTLED_KEEP_MS) break;
        settled.delete(id);
      }
      settled.delete(jobId);
      settled.set(jobId, now);
      const state = replies.get(jobId);
      if (!state) return;
      replies.delete(jobId);
      waiting.delete(state);
      state.pending = null;
      if (state.timer) clearTimeout(state.timer);
      state.timer = null;
      await state.inFlight;
    },
  };
}
