import { describe, expect, it } from 'vitest';
import { loadCommands, loadMessageCommands } from '../../commands/index.js';
import { DEPLOY_HELP, START_HELP } from '../../src/startup/help.js';

// An admin reading --help learns every command the bot will register, not an older list.
describe('--help names what the bot serves', () => {
  const slash = loadCommands().map((command) => `/${command.data.name}`);
  const messageCommands = loadMessageCommands().map((command) => command.data.name);

  it.each([
    ['npm start -- --help', START_HELP],
    ['npm run deploy-commands -- --help', DEPLOY_HELP],
  ])('GIVEN %s THEN every slash command and message command is named', (_name, text) => {
    for (const name of slash) expect(text).toMatch(new RegExp(`${name}\\b`));
    for (const name of messageCommands) expect(text).toContain(`"${name}"`);
  });
});

// A terminal 100 columns wide shows every line whole (no line wraps in the middle of a word).
describe('--help fits a terminal', () => {
  it.each([
    ['npm start -- --help', START_HELP],
    ['npm run deploy-commands -- --help', DEPLOY_HELP],
  ])('GIVEN %s THEN every line is under 100 columns', (_name, text) => {
    const long = text.split('\n').filter((line) => [...line].length >= 100);
    expect(long).toEqual([]);
  });
});
