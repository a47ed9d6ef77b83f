import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { StartupError } from './startup-error.js';

/**
 * The project folder: the nearest folder above this module holding our package.json. The same
 * from `src/` (tests), `dist/src/` (`npm start`) and any other build folder.
 */
export function projectRoot(from: string = import.meta.dirname): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        if ((JSON.parse(readFileSync(candidate, 'utf8')) as { name?: unknown }).name === 'hailuo-video-bot') return dir;
      } catch {
        // Not ours (or unreadable): keep looking upwards.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return resolve(from, '..', '..');
    dir = parent;
  }
}

/**
 * Which `.env` file to read: `ENV_FILE` when set (it must exist), else `.env` in the working
 * directory, else `.env` in the project folder (systemd and pm2 start from elsewhere).
 * Undefined when there is none, which is fine: the environment alone may configure the bot.
 *
 * @throws StartupError naming ENV_FILE when it points at a missing file.
 */
export function findEnvFile(
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
  root: string = projectRoot(),
): string | undefined {
  const explicit = env.ENV_FILE?.trim();
  if (explicit) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path))
      throw new StartupError([
        `ENV_FILE=${explicit}: no such file (${path}).`,
        'Fix: point ENV_FILE at your .env file, or unset it to use the .env next to the bot.',
      ]);
    return path;
  }
  return [join(cwd, '.env'), join(root, '.env')].find((path) => existsSync(path));
}

/**
 * Prepares `process.env` before anything reads it (discord.js reads SHARD_COUNT, SHARDS and
 * friends on its own): fills it from the `.env` file (a variable already set and not empty in the
 * environment wins), then deletes every variable whose value is empty or blank, because an empty
 * value means "unset" for every setting, ours and discord.js' alike.
 *
 * @returns the `.env` file read, if any.
 * @throws StartupError when ENV_FILE names a missing file or the file cannot be read.
 */
export function prepareEnvironment(env: NodeJS.ProcessEnv = process.env, cwd?: string, root?: string): string | undefined {
  const file = findEnvFile(env, cwd, root);
  if (file) {
    let parsed: Record<string, string>;
    try {
      parsed = parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch (err) {
      throw new StartupError([
        `Could not read ${file}: ${err instanceof Error ? err.message : String(err)}.`,
        "Fix: make the file readable by the bot's user, or set ENV_FILE to another file.",
      ]);
    }
    for (const [name, value] of Object.entries(parsed)) {
      if (env[name] === undefined || env[name]?.trim() === '') env[name] = value;
    }
  }
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value.trim() === '') delete env[name];
  }
  return file;
}
