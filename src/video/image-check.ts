import type { ProbeResult } from '../http/download.js';
import { sniffImageType, SNIFF_BYTES } from '../http/sniff.js';
import type { FirstFrameImage } from './request.js';
import { mediaTypeOf } from '../http/media-type.js';

/** What the first bytes of an attached first frame say about it. */
export type ImageVerdict = { ok: true } | { ok: false; claimed: string };

export type ProbeImage = (url: string) => Promise<ProbeResult>;

/**
 * Checks that an attachment is the image its content type claims, from its first bytes, before
 * anything is spent. When the bytes cannot be fetched in time the provider gets to judge it.
 */
export async function inspectFirstFrame(image: FirstFrameImage, probe: ProbeImage): Promise<ImageVerdict> {
  const claimed = mediaTypeOf(image.contentType);
  const head = await probe(image.url);
  if (!head.ok) return { ok: true };
  const actual = sniffImageType(head.data.subarray(0, SNIFF_BYTES));
  return actual === claimed ? { ok: true } : { ok: false, claimed: claimed || 'image' };
}
