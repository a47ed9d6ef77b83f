import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { escapeCommentText } from '../../scripts/bundle.js';
import { buildBotOnce } from '../e2e/process.js';

// V8 keeps every loaded script's source on the heap, twice as large when one character in it is
// outside Latin-1: the bundle the bot runs must be pure ASCII (issue 15, idle memory).

const dirs: string[] = [];
const scratch = (files: Record<string, string>): string => {
  const dir = mkdtempSync(join(tmpdir(), 'hvb-ascii-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const nonAscii = /[\u0080-\uffff]/;

describe('the production bundle is ASCII-only', () => {
  it('GIVEN comments with curly quotes, CJK and an emoji WHEN the bundle step runs THEN they become \\u escapes and the code is unchanged', async () => {
    const source = [
      '// Returns request\u2019s status: \u4e0a\u5347 \u{1f3ac}',
      '/* multi-line \u2014',
      ' * comment \u2026 */',
      'export const quote = "\\u2019"; // after code \u00e9',
      '',
    ].join('\n');
    const dir = scratch({ 'a.js': source, 'plain.js': 'export const x = 1;\n' });
    await escapeCommentText(dir);
    const out = readFileSync(join(dir, 'a.js'), 'utf8');
    expect(out).not.toMatch(nonAscii);
    expect(out).toContain('request\\u2019s status: \\u4e0a\\u5347 \\ud83c\\udfac');
    expect(out).toContain('export const quote = "\\u2019";');
    expect(readFileSync(join(dir, 'plain.js'), 'utf8')).toBe('export const x = 1;\n');
  });

  it('GIVEN a legal comment with a copyright sign THEN it is escaped like any comment, not taken for code', async () => {
    const dir = scratch({ 'legal.js': '/*! Copyright \u00a9 2026 */\nexport const y = 2;\n' });
    await escapeCommentText(dir);
    expect(readFileSync(join(dir, 'legal.js'), 'utf8')).toBe('/*! Copyright \\u00a9 2026 */\nexport const y = 2;\n');
  });

  it('GIVEN a non-ASCII character in a tagged template (its raw text would change) THEN the build fails', async () => {
    const dir = scratch({ 'raw.js': 'export const s = String.raw`\u2014`;\n' });
    await expect(escapeCommentText(dir)).rejects.toThrow(/raw\.js has non-ASCII text outside comments/);
  });

  it('GIVEN a non-ASCII character in a regular expression (esbuild leaves those as written) WHEN the bundle step runs THEN the build fails and says where', async () => {
    const dir = scratch({ 'split.js': 'export const parts = (s) => s.split(/[,\uff0c]/);\n' });
    await expect(escapeCommentText(dir)).rejects.toThrow(/split\.js has non-ASCII text outside comments/);
    // The file is left as it was, not half rewritten.
    expect(readFileSync(join(dir, 'split.js'), 'utf8')).toContain('\uff0c');
  });

  it('GIVEN the bot built as npm run build builds it THEN every file it loads is ASCII', () => {
    const bundleDir = join(buildBotOnce(), '..');
    const files = readdirSync(bundleDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThan(3);
    const offenders = files.filter((f) => nonAscii.test(readFileSync(join(bundleDir, f), 'utf8')));
    expect(offenders).toEqual([]);
  }, 180_000);
});
