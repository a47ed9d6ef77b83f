import { core } from './en/core.js';
import { admin } from './en/admin.js';
import { help } from './en/help.js';
import { members } from './en/members.js';
import { quota } from './en/quota.js';

/**
 * The English catalogue: the default for every locale without its own. One file per area of the
 * bot under `en/`, merged here; `zh-CN.ts` mirrors it key for key.
 */
export const en = { ...core, ...quota, ...help, ...admin, ...members } as const;

export type MessageKey = keyof typeof en;
