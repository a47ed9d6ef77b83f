/** ANSI colours for the demo's terminal output; every function is the identity when colour is off. */

export interface Style {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly member: (text: string) => string;
  readonly bot: (text: string) => string;
  readonly ok: (text: string) => string;
  readonly bad: (text: string) => string;
  readonly note: (text: string) => string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

/** Colour styles when `color` is true, plain text otherwise. */
export function createStyle(color: boolean): Style {
  if (!color) {
    const plain = (text: string) => text;
    return { bold: plain, dim: plain, member: plain, bot: plain, ok: plain, bad: plain, note: plain };
  }
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    member: wrap(36, 39),
    bot: wrap(35, 39),
    ok: wrap(32, 39),
    bad: wrap(31, 39),
    note: wrap(33, 39),
  };
}

/** Removes ANSI colour sequences (for measuring and for tests). */
// ANSI colour codes start with ESC (0x1b): the control character is the point.
// eslint-disable-next-line no-control-regex
export const stripAnsi = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');
