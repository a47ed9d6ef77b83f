/** Image type detection from magic bytes: a server's `content-type` is a claim, the bytes are not. */

export type SniffedImageType = 'image/png' | 'image/jpeg' | 'image/webp';

/** How many leading bytes {@link sniffImageType} needs to decide. */
export const SNIFF_BYTES = 12;

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];

/**
 * Identifies PNG, JPEG and WebP (the first-frame formats the provider accepts) from the first
 * {@link SNIFF_BYTES} bytes; anything else, or too few bytes, is `undefined`.
 */
export function sniffImageType(bytes: Buffer): SniffedImageType | undefined {
  if (startsWith(bytes, PNG)) return 'image/png';
  if (startsWith(bytes, JPEG)) return 'image/jpeg';
  // RIFF container: "RIFF" <4-byte size> "WEBP".
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') {
    return 'image/webp';
  }
  return undefined;
}

function startsWith(bytes: Buffer, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((value, index) => bytes[index] === value);
}
