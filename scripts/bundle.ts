/**
 * The last step of `npm run build`: bundles the compiled bot (`dist/src/main.js`) and the
 * benchmark's bot process into `dist/bundle/` with esbuild, which is what `npm start`, the Docker
 * image and the benchmark run.
 *
 * Why: Node 20 loads an ES module graph file by file (resolve, read, parse, link), and the bot's
 * graph is about 900 files with discord.js and its dependencies. Loaded as a handful of bundled
 * files, the bot reaches Discord's IDENTIFY within 1.2× of a bare discord.js bot loaded from
 * node_modules (1.65–2.13× before), and on SQLite holds about 13 MiB less at idle (`npm run bench`,
 * issue 15). Node 22's compile cache is not there on Node 20, which the bot supports.
 *
 * What stays outside the bundle, loaded from node_modules at run time:
 * - native modules (better-sqlite3, @napi-rs/canvas) and the optional native helpers discord.js
 *   asks for (zlib-sync, bufferutil, utf-8-validate);
 * - pino and pino-pretty: pino starts transports in a worker thread by file name;
 * - chart.js, which usage-chart.ts loads through createRequire on first use.
 * Code behind a dynamic `import()` (Redis, metrics, undici, the shard manager) stays in chunks of
 * its own, loaded only when used, as before.
 *
 * Usage: node dist/scripts/bundle.js [outDir]   (outDir: where the tsc output is; default dist)
 */
import { build, transform, type Plugin } from 'esbuild';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Packages loaded from node_modules at run time (see above). */
export const EXTERNAL_PACKAGES = [
  'better-sqlite3',
  '@napi-rs/canvas',
  'chart.js',
  'pino',
  'pino-pretty',
  'zlib-sync',
  'bufferutil',
  'utf-8-validate',
  '@discordjs/voice',
] as const;

/**
 * CommonJS packages our own modules import from many files: each goes through one shared module.
 *
 * Why: in an ES module bundle, esbuild turns every file's `import { … } from 'discord.js'` into
 * `__toESM(require_discord_js())` in that file, and `__toESM` copies the package's exports onto a
 * fresh object with one getter closure per export. discord.js exports 535 names and 34 of our
 * files imported it: about 18,000 getters, kept for the life of the process (the idle heap
 * snapshot's `get` closures, their accessor pairs and dictionary properties: 2.0 MiB less idle
 * heap without them; issue 15's idle RSS). One shared module makes one copy (which its own
 * `export *` wraps in one more layer of 535 getters). esbuild has no option for this.
 * A default import would find nothing there (`export *` leaves `default` out), and tsc refuses
 * one already: discord.js' typings have no default export.
 */
export const SHARED_COMMONJS_IMPORTS = ['discord.js'] as const;

const SHARED_NAMESPACE = 'hvb-shared-commonjs';

/**
 * An esbuild plugin: resolves `packages` imported by a file outside node_modules to one module per
 * package that re-exports it (`export * from '<package>'`), so the bundle copies each package's
 * exports once instead of once per importing file. Imports from node_modules are left alone.
 */
export function sharedCommonJsImports(packages: readonly string[], resolveDir: string): Plugin {
  const escaped = packages.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  const filter = new RegExp(`^(${escaped.join('|')})$`);
  return {
    name: 'shared-commonjs-imports',
    setup(build) {
      build.onResolve({ filter }, (args) => {
        if (args.namespace !== 'file' || /[\\/]node_modules[\\/]/.test(args.importer)) return undefined;
        return { path: args.path, namespace: SHARED_NAMESPACE };
      });
      build.onLoad({ filter: /.*/, namespace: SHARED_NAMESPACE }, (args) => ({
        contents: `export * from ${JSON.stringify(args.path)};\n`,
        resolveDir,
        loader: 'js',
      }));
    },
  };
}

/** The bundle's entry points: output name → compiled file under the tsc output folder. */
export const BUNDLE_ENTRIES = {
  main: 'src/main.js',
  'bench-bot': 'scripts/bench/bot-process.js',
  // The Redis start-up check's worker thread (src/startup/redis-probe-thread.ts finds it here).
  'redis-probe-worker': 'src/startup/redis-probe-worker.js',
} as const;

/**
 * Bundles the compiled entry points under `outDir` (the tsc output) into `outDir/bundle`.
 * Throws when esbuild reports an error (a missing import, say); warnings are printed.
 */
export async function bundle(outDir: string): Promise<void> {
  const from = resolve(outDir);
  // Chunk names carry content hashes: a build into an old folder would leave the old chunks there.
  rmSync(join(from, 'bundle'), { recursive: true, force: true });
  await build({
    entryPoints: Object.fromEntries(Object.entries(BUNDLE_ENTRIES).map(([name, file]) => [name, join(from, file)])),
    outdir: join(from, 'bundle'),
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: [...EXTERNAL_PACKAGES],
    plugins: [sharedCommonJsImports(SHARED_COMMONJS_IMPORTS, from)],
    // CommonJS dependencies (discord.js and most of its own) call `require`, which ES modules lack.
    banner: {
      js: "import { createRequire as __hvbCreateRequire } from 'node:module'; const require = __hvbCreateRequire(import.meta.url);",
    },
    // Class and function names stay as written (error names, log lines, stack traces). Not only
    // cosmetic: bundling renames classes whose names clash (Collection, Client, Response…),
    // and discord.js checks `cache.constructor.name === 'Collection'`. It costs about 3 % of the
    // CPU of a burst of /video (the `__name` calls on closures); measured, kept.
    keepNames: true,
    // Whitespace out: V8 keeps every loaded script's source text on the heap for the life of the
    // process, and the bot loads about 6 MB of it at start (discord.js alone 4 MB); without the
    // indentation and line breaks that is about a third less: 1.7 MiB less idle heap, measured with
    // `npm run bench` (issue 15). Names are kept (keepNames above, identifiers not renamed), so
    // log lines and error names read as before; a stack trace's positions were already the
    // bundle's, not the TypeScript's, and map back the same way:
    // Stack traces map back to the TypeScript with NODE_OPTIONS=--enable-source-maps.
    minifyWhitespace: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  });
  await escapeCommentText(join(from, 'bundle'));
}

// Matched per UTF-16 code unit: a character outside the BMP becomes its two surrogate escapes.
const NON_ASCII = /[\u0080-\uffff]/g;

/**
 * Rewrites every non-ASCII character left in the bundle's `.js` files under `dir` as a `\uXXXX`
 * escape, so each file is pure ASCII.
 *
 * Why: V8 keeps the source text of every loaded script on the heap for as long as the process
 * runs, one byte per character when the text is Latin-1 and two bytes per character otherwise.
 * esbuild already escapes non-ASCII characters in strings, untagged templates and identifiers
 * (`charset: 'ascii'`, its default) but leaves regular expressions, tagged templates and some
 * comments as written: one curly apostrophe in an undici comment doubled the discord.js chunk's
 * 4 MB of source to 8 MB of heap. Measured with `npm run bench` (issue 15): about 6 MiB less idle
 * RSS.
 *
 * Only comments are changed, and this is checked rather than assumed: the file minified (which
 * drops comments, legal ones too) must come out the same before and after, or the build fails;
 * code with non-ASCII text (a regular expression, a tagged template) must be written with escapes.
 * One thing the check cannot see: `Function.prototype.toString()` of a function with such a
 * comment inside shows the escapes; nothing the bot runs reads its own source.
 *
 * @throws Error naming the file when a rewritten character was not in a comment, or when esbuild
 *   cannot parse it.
 */
export async function escapeCommentText(dir: string): Promise<void> {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
  for (const file of files) {
    const path = join(dir, file);
    const source = readFileSync(path, 'utf8');
    if (!/[\u0080-\uffff]/.test(source)) continue;
    const escaped = source.replace(NON_ASCII, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
    const minified = async (text: string) =>
      (await transform(text, { minify: true, format: 'esm', legalComments: 'none', logLevel: 'silent' })).code;
    const [before, after] = await Promise.all([minified(source), minified(escaped)]).catch((err: unknown) => {
      throw new Error(`bundle: ${file} could not be checked: ${err instanceof Error ? err.message : String(err)}`);
    });
    if (before !== after) {
      throw new Error(
        `bundle: ${file} has non-ASCII text outside comments that esbuild did not escape (a regular expression?); write it as \\u escapes`,
      );
    }
    writeFileSync(path, escaped);
  }
}

const isEntryPoint = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isEntryPoint) {
  await bundle(process.argv[2] ?? 'dist');
}
