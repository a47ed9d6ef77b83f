import { describe, expect, it } from 'vitest';
import { wantsPrettyLogs } from '../../src/log.js';

describe('log format', () => {
  it('GIVEN production or a pipe WHEN the bot starts THEN it logs JSON lines and never loads pino-pretty; a developer at a terminal gets pretty lines', () => {
    expect(wantsPrettyLogs({ NODE_ENV: 'production' }, true)).toBe(false);
    expect(wantsPrettyLogs({}, false)).toBe(false);
    // pino-pretty is a dev dependency: installed here, so a terminal outside production gets it.
    expect(wantsPrettyLogs({}, true)).toBe(true);
  });
});
