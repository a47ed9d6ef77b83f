/**
 * Is a downloaded file a whole MP4? A walk over its top-level boxes (ISO/IEC 14496-12 §4.2: each
 * box starts with a 32-bit size and a 4-character type; size 1 means a 64-bit size follows, size 0
 * means "to the end of the file"). Only the box headers are read, never the media.
 *
 * Why not an npm MP4 parser: the question is only "are `ftyp` and `moov` there and does every box
 * end inside the file", which is these ~60 lines over a file handle; the maintained parsers
 * (mp4box.js and friends) parse whole sample tables into memory and pull in a large dependency for
 * a check that never looks inside a box.
 */
import { open } from 'node:fs/promises';

export type Mp4Check =
  | { ok: true }
  /** `not_mp4`: no `ftyp` box first; `truncated`: the last box runs past the end; `no_moov`: no movie header. */
  | { ok: false; reason: 'not_mp4' | 'truncated' | 'no_moov' };

const HEADER = 16;

/** Checks the file at `path` is a complete MP4: `ftyp` first, a `moov`, every box within the file. */
export async function checkMp4File(path: string): Promise<Mp4Check> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const header = Buffer.alloc(HEADER);
    let offset = 0;
    let moov = false;
    for (let index = 0; offset < size; index += 1) {
      const { bytesRead } = await file.read(header, 0, HEADER, offset);
      if (bytesRead < 8) return { ok: false, reason: index === 0 ? 'not_mp4' : 'truncated' };
      const type = header.toString('latin1', 4, 8);
      if (index === 0 && type !== 'ftyp') return { ok: false, reason: 'not_mp4' };
      let boxSize = header.readUInt32BE(0);
      let headerSize = 8;
      if (boxSize === 1) {
        if (bytesRead < 16) return { ok: false, reason: 'truncated' };
        boxSize = Number(header.readBigUInt64BE(8));
        headerSize = 16;
      } else if (boxSize === 0) {
        boxSize = size - offset;
      }
      if (boxSize < headerSize) return { ok: false, reason: index === 0 ? 'not_mp4' : 'truncated' };
      if (offset + boxSize > size) return { ok: false, reason: 'truncated' };
      if (type === 'moov') moov = true;
      offset += boxSize;
    }
    if (offset === 0) return { ok: false, reason: 'not_mp4' };
    return moov ? { ok: true } : { ok: false, reason: 'no_moov' };
  } finally {
    await file.close();
  }
}
