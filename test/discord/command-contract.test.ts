import { describe, expect, it } from 'vitest';
import { loadCommands, loadMessageCommands } from '../../commands/index.js';

type Option = { name: string; type: number; options?: Option[]; name_localizations?: Record<string, string> | null; description?: string };

const shape = (options: Option[] | undefined): unknown => (options ?? []).map((o) => (o.options ? { [o.name]: shape(o.options) } : o.name));

// Command, subcommand and option names are a contract: members' muscle memory, admins' docs and
// other tools call the bot by them. A rename must be deliberate, and show up here.
describe('the commands Discord registers', () => {
  const commands = loadCommands().map((c) => c.data);

  it('GIVEN the slash commands THEN their names and options are the documented ones', () => {
    expect(Object.fromEntries(commands.map((c) => [c.name, shape(c.options as Option[] | undefined)]))).toEqual({
      video: ['prompt', 'duration', 'resolution', 'image', 'camera', 'model', 'prompt_optimizer', 'fast_pretreatment', 'watermark'],
      videos: [],
      help: [],
      quota: [
        { set: ['limit', 'period', 'per_user', 'max_concurrent'] },
        { show: [] },
        { reset: ['user'] },
        { role: ['role', 'per_user'] },
        { channels: ['action', 'channel'] },
        { 'banned-words': ['action', 'word'] },
        { log: ['channel', 'alert_role'] },
        { block: ['member', 'reason'] },
        { unblock: ['member'] },
        { export: ['period'] },
      ],
      usage: [],
    });
    expect(loadMessageCommands().map((c) => c.data.name)).toEqual(['Animate image']);
  });

  it('GIVEN any command, subcommand, option or choice THEN it has an English description and a zh-CN localization', () => {
    const walk = (options: Option[] | undefined): void => {
      for (const option of options ?? []) {
        expect(option.description, option.name).toBeTruthy();
        expect(option.name_localizations?.['zh-CN'], option.name).toBeTruthy();
        walk(option.options);
      }
    };
    for (const command of commands) {
      expect(command.name_localizations?.['zh-CN'], command.name).toBeTruthy();
      expect(command.description_localizations?.['zh-CN'], command.name).toBeTruthy();
      walk(command.options as Option[] | undefined);
    }
  });

  it('GIVEN every command THEN it is a server install, usable in servers (and /help in a DM with the bot)', () => {
    for (const command of commands) {
      expect(command.integration_types, command.name).toEqual([0]);
      expect(command.contexts, command.name).toEqual(command.name === 'help' ? [0, 1] : [0]);
    }
  });
});
