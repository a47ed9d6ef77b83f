import type { Job } from '../jobs/job.js';
import type { MessagePayload, ReplyChannel } from './reply-channel.js';

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
 */
export function createProgressEdits(channel: ReplyChannel, clock: () => number, minGapMs: number) {
  const replies = new Map<string, ReplyState>();
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
    const { key, payload } = state.pending;
    state.pending = null;
    state.sendingKey = key;
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
        state.inFlight = null;
        state.sendingKey = null;
        pump(state);
      });
  };

  return {
    /** Asks for the reply to show `payload`; returns at once. */
    show(job: Job, payload: MessagePayload): void {
      if (settled.has(job.id)) return;
      const key = JSON.stringify(payload.body);
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
      state.pending = null;
      if (state.timer) clearTimeout(state.timer);
      state.timer = null;
      await state.inFlight;
    },
  };
}
