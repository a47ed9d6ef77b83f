import { DiscordAPIError, type REST } from 'discord.js';
import { z } from 'zod';
import type { ImageLink } from '../jobs/deps.js';

// The provider fetches the first frame after the submission, which may wait its turn under the
// shared rate budget; a URL with less than this left is renewed first.
const RENEW_WITHIN_MS = 60 * 60_000;

const refreshResponse = z.object({
  refreshed_urls: z.array(z.object({ original: z.string(), refreshed: z.string() })),
});

/** When a Discord CDN URL stops working: its `ex` parameter (hex Unix seconds), or null if unsigned. */
export function signedUrlExpiresAt(url: string): number | null {
  let ex: string | null;
  try {
    ex = new URL(url).searchParams.get('ex');
  } catch {
    return null;
  }
  return ex && /^[0-9a-f]{1,12}$/i.test(ex) ? parseInt(ex, 16) * 1000 : null;
}

/**
 * Gives a URL of the same attachment that works for a while yet. Discord signs attachment URLs
 * for about a day, so a video regenerated the next day (or a job that waited long for its turn)
 * would hand the provider a dead link; Discord's refresh endpoint signs it again.
 */
export function createAttachmentUrlRenewer(rest: REST, clock: () => number): (url: string) => Promise<ImageLink> {
  return async (url) => {
    const expiresAt = signedUrlExpiresAt(url);
    if (expiresAt === null || expiresAt - clock() > RENEW_WITHIN_MS) return { ok: true, url };
    let refreshed: string | undefined;
    try {
      const body = refreshResponse.parse(await rest.post('/attachments/refresh-urls', { body: { attachment_urls: [url] } }));
      refreshed = body.refreshed_urls.find((r) => r.original === url)?.refreshed;
    } catch (err) {
      // Discord refusing this URL means the attachment is gone; anything else may pass, and a
      // link with minutes left is still worth a try meanwhile.
      if (err instanceof DiscordAPIError && err.status >= 400 && err.status < 500) return { ok: false, reason: 'gone' };
      return expiresAt > clock() ? { ok: true, url } : { ok: false, reason: 'unreachable' };
    }
    if (!refreshed) return { ok: false, reason: 'gone' };
    const renewedUntil = signedUrlExpiresAt(refreshed);
    return renewedUntil !== null && renewedUntil <= clock() ? { ok: false, reason: 'gone' } : { ok: true, url: refreshed };
  };
}
