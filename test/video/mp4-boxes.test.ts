import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkMp4File } from '../../src/video/mp4-boxes.js';
import { mp4Bytes, withoutMoov } from '../fakes/provider-data.js';

const dir = mkdtempSync(join(tmpdir(), 'hvb-mp4-'));
let n = 0;
const fileWith = (bytes: Buffer) => {
  const path = join(dir, `f${(n += 1)}.mp4`);
  writeFileSync(path, bytes);
  return path;
};

describe('checking a downloaded video is a whole MP4', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('GIVEN a complete file (ftyp, moov, mdat) THEN it passes', async () => {
    expect(await checkMp4File(fileWith(mp4Bytes(150 * 1024)))).toEqual({ ok: true });
  });

  it('GIVEN the file cut anywhere after its first box THEN it is truncated', async () => {
    const whole = mp4Bytes(150 * 1024);
    for (const at of [40, 75 * 1024, whole.length - 1]) {
      expect(await checkMp4File(fileWith(whole.subarray(0, at)))).toEqual({ ok: false, reason: 'truncated' });
    }
  });

  it('GIVEN a file whose boxes are whole but which has no moov THEN it is refused', async () => {
    expect(await checkMp4File(fileWith(withoutMoov(mp4Bytes(4096))))).toEqual({ ok: false, reason: 'no_moov' });
  });

  it('GIVEN an HTML error page or an empty file THEN it is no MP4', async () => {
    expect(await checkMp4File(fileWith(Buffer.from('<html>Access denied</html>')))).toEqual({ ok: false, reason: 'not_mp4' });
    expect(await checkMp4File(fileWith(Buffer.alloc(0)))).toEqual({ ok: false, reason: 'not_mp4' });
  });

  it('GIVEN a 64-bit box size (large mdat) and a last box that runs to the end (size 0) THEN they are read', async () => {
    const whole = mp4Bytes(2048);
    const ftypAndMoov = whole.subarray(0, whole.indexOf('mdat', 0, 'latin1') - 4);
    const large = Buffer.alloc(16 + 100);
    large.writeUInt32BE(1, 0);
    large.write('mdat', 4, 'latin1');
    large.writeBigUInt64BE(116n, 8);
    expect(await checkMp4File(fileWith(Buffer.concat([ftypAndMoov, large])))).toEqual({ ok: true });
    const toEnd = Buffer.alloc(8 + 50);
    toEnd.write('mdat', 4, 'latin1');
    expect(await checkMp4File(fileWith(Buffer.concat([ftypAndMoov, toEnd])))).toEqual({ ok: true });
    large.writeBigUInt64BE(117n, 8);
    expect(await checkMp4File(fileWith(Buffer.concat([ftypAndMoov, large])))).toEqual({ ok: false, reason: 'truncated' });
  });
});
