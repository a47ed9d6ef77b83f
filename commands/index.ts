import { isCommand, isMessageCommand, type Command, type MessageCommand } from '../src/discord/command.js';
import animate from './animate.js';
import help from './help.js';
import quota from './quota.js';
import usage from './usage.js';
import video from './video.js';
import videos from './videos.js';

/** Every slash command the bot serves, checked for shape once at load. */
export function loadCommands(): Command[] {
  const modules: unknown[] = [video, videos, help, quota, usage];
  return modules.map((module, index) => {
    if (!isCommand(module)) throw new Error(`commands module #${index} does not export { data, execute }`);
    return module;
  });
}

/** Every message context-menu command (Apps → …), checked for shape once at load. */
export function loadMessageCommands(): MessageCommand[] {
  const modules: unknown[] = [animate];
  return modules.map((module, index) => {
    if (!isMessageCommand(module)) throw new Error(`message command module #${index} does not export { data (type 3), execute }`);
    return module;
  });
}
