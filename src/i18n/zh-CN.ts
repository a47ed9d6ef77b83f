import type { MessageKey } from './en.js';
import { core } from './zh-CN/core.js';
import { admin } from './zh-CN/admin.js';
import { help } from './zh-CN/help.js';
import { members } from './zh-CN/members.js';
import { quota } from './zh-CN/quota.js';

/** 简体中文目录：与 `en.ts` 一一对应，按功能分文件放在 `zh-CN/` 下。 */
export const zhCN = { ...core, ...quota, ...help, ...admin, ...members } as const satisfies Record<MessageKey, string>;
