import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildBotOnce } from '../e2e/process.js';

// esbuild copies a CommonJS package's exports (one getter closure each) for every file that
// imports it; discord.js has 535 exports and 34 of our files import it. The bundle routes our
// imports of it through one module, so the idle bot holds one copy (issue 15, idle memory).

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('the production bundle copies discord.js exports once', () => {
  it('GIVEN the bot built as npm run build builds it THEN discord.js is turned into an ES module namespace in one place only', () => {
    const bundleDir = join(buildBotOnce(), '..');
    const sources = readdirSync(bundleDir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(bundleDir, f), 'utf8'));
    const definition = sources
      .map((text) => /var (require_\w+)\s*=\s*__commonJS\(\{\s*"node_modules\/discord\.js\/src\/index\.js"/.exec(text)?.[1])
      .find((name) => name !== undefined);
    expect(definition, 'discord.js is bundled').toBeDefined();
    const conversions = new RegExp(`__toESM\\(${escape(definition ?? '')}\\(\\)`, 'g');
    const count = sources.reduce((total, text) => total + (text.match(conversions)?.length ?? 0), 0);
    expect(count).toBe(1);
  }, 180_000);
});
