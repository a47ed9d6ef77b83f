import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findEnvFile, prepareEnvironment } from '../../src/startup/env-file.js';

describe('where .env is found', () => {
  it('GIVEN ENV_FILE, a .env in the working folder and one in the project folder THEN ENV_FILE wins, then the working folder, then the project folder', () => {
    const base = mkdtempSync(join(tmpdir(), 'hvb-envfile-'));
    try {
      const cwd = join(base, 'cwd');
      const project = join(base, 'project');
      mkdirSync(cwd);
      mkdirSync(project);
      expect(findEnvFile({}, cwd, project)).toBeUndefined();
      writeFileSync(join(project, '.env'), 'A=1\n');
      expect(findEnvFile({}, cwd, project)).toBe(join(project, '.env'));
      writeFileSync(join(cwd, '.env'), 'A=2\n');
      expect(findEnvFile({}, cwd, project)).toBe(join(cwd, '.env'));
      writeFileSync(join(base, 'bot.env'), 'A=3\n');
      expect(findEnvFile({ ENV_FILE: join(base, 'bot.env') }, cwd, project)).toBe(join(base, 'bot.env'));
      expect(() => findEnvFile({ ENV_FILE: join(base, 'missing.env') }, cwd, project)).toThrow(/ENV_FILE/);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  it('GIVEN the environment and a .env THEN a non-empty environment value wins, an empty one counts as unset, and every empty value is removed', () => {
    const base = mkdtempSync(join(tmpdir(), 'hvb-envfile-'));
    try {
      writeFileSync(join(base, '.env'), 'FROM_FILE=file\nBOTH=file\nEMPTY_IN_ENV=file\nSHARD_COUNT=\n');
      const env: NodeJS.ProcessEnv = { BOTH: 'env', EMPTY_IN_ENV: '', SHARD_LIST: '  ' };
      expect(prepareEnvironment(env, base, base)).toBe(join(base, '.env'));
      expect(env).toEqual({ FROM_FILE: 'file', BOTH: 'env', EMPTY_IN_ENV: 'file' });
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
