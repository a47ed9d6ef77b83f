import { isBlank } from '../text/blank.js';

/** The 15 camera moves of MiniMax-Hailuo-2.3, as the provider names them in Chinese and English. */
export const CAMERA_MOVES = [
  { zh: '左移', en: 'Truck left' },
  { zh: '右移', en: 'Truck right' },
  { zh: '左摇', en: 'Pan left' },
  { zh: '右摇', en: 'Pan right' },
  { zh: '推进', en: 'Push in' },
  { zh: '拉远', en: 'Pull out' },
  { zh: '上升', en: 'Pedestal up' },
  { zh: '下降', en: 'Pedestal down' },
  { zh: '上摇', en: 'Tilt up' },
  { zh: '下摇', en: 'Tilt down' },
  { zh: '变焦推近', en: 'Zoom in' },
  { zh: '变焦拉远', en: 'Zoom out' },
  { zh: '晃动', en: 'Shake' },
  { zh: '跟随', en: 'Tracking shot' },
  { zh: '固定', en: 'Static shot' },
] as const;

export type CameraMove = (typeof CAMERA_MOVES)[number];

/** Moves the provider recommends combining in one bracket at most. */
export const MAX_COMBINED_MOVES = 3;

const normalise = (name: string) =>
  name
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');

const byName = new Map<string, CameraMove>();
for (const move of CAMERA_MOVES) {
  byName.set(normalise(move.zh), move);
  byName.set(normalise(move.en), move);
}

/** Finds a move by its English or Chinese name, ignoring case, spacing and surrounding brackets. */
export function findCameraMove(name: string): CameraMove | undefined {
  return byName.get(normalise(name.replace(/^\[|\]$/g, '')));
}

export type CameraParse =
  | { ok: true; moves: CameraMove[] }
  | { ok: false; reason: 'unknown_move'; name: string }
  | { ok: false; reason: 'too_many_moves'; count: number };

/**
 * What separates moves: a comma (ASCII or full-width，), the ideographic comma 、 or `+`. Written
 * as escapes: the production bundle must stay ASCII outside comments (see scripts/bundle.ts).
 */
const MOVE_SEPARATORS = /[,\uff0c\u3001+]/;

/**
 * Reads the `camera` option: one move, or up to three joined by commas (`Pan left, 上升`).
 * Discord does not enforce autocomplete values, so anything typed arrives here. A move named
 * more than once, in any language or case (`Push in, push in, 推进`), is one move: it is counted
 * once and kept once, where it first appears.
 */
export function parseCameraOption(value: string): CameraParse {
  const names = value
    .replace(/^\s*\[|\]\s*$/g, '')
    .split(MOVE_SEPARATORS)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (names.length === 0) return { ok: false, reason: 'unknown_move', name: value.trim() };
  const moves: CameraMove[] = [];
  for (const name of names) {
    const move = findCameraMove(name);
    if (!move) return { ok: false, reason: 'unknown_move', name };
    if (!moves.includes(move)) moves.push(move);
  }
  if (moves.length > MAX_COMBINED_MOVES) return { ok: false, reason: 'too_many_moves', count: moves.length };
  return { ok: true, moves };
}

/** The bracket command the provider reads, in the seed's Chinese spelling: `[推进]`, `[左摇,上升]`. */
export function cameraCommand(zhNames: readonly string[]): string {
  return zhNames.length === 0 ? '' : `[${zhNames.join(',')}]`;
}

/**
 * Reads a prompt as the provider got it (or as a member edited it) back into its camera command
 * and the member's words: `[推进]a fox` → `{ camera: '推进', words: 'a fox' }`. Only a leading
 * bracket whose every name is a known move (at most {@link MAX_COMBINED_MOVES}) is a command;
 * anything else (`[note] a fox`) is words, and `camera` is null.
 */
export function splitCameraCommand(prompt: string): { camera: string | null; words: string } {
  const bracket = /^\s*\[([^\]\n]*)\]/.exec(prompt);
  if (!bracket) return { camera: null, words: prompt };
  const inside = bracket[1] ?? '';
  if (!parseCameraOption(inside).ok) return { camera: null, words: prompt };
  const words = prompt.slice(bracket[0].length).trimStart();
  // A command alone is the member's whole prompt (a first frame with a move), as /video takes it.
  if (isBlank(words)) return { camera: null, words: prompt };
  return { camera: inside, words };
}

/** Autocomplete suggestions for what a member has typed so far, in either language. */
export function suggestCameraMoves(typed: string, limit = 25): Array<{ name: string; value: string }> {
  const parts = typed.split(MOVE_SEPARATORS);
  const current = normalise(parts.pop() ?? '');
  // Empty parts (`Push in,, `) name nothing, as parseCameraOption reads them.
  const typedNames = parts.filter((part) => part.trim().length > 0);
  const named = typedNames.map((part) => findCameraMove(part)).filter((move): move is CameraMove => move !== undefined);
  // A move typed twice is one move, as parseCameraOption counts it.
  const chosen = [...new Set(named)];
  if (typedNames.length - (named.length - chosen.length) >= MAX_COMBINED_MOVES) return [];
  const prefix = chosen.map((move) => move.en);
  const matches = CAMERA_MOVES.filter((move) => !chosen.includes(move)).filter(
    (move) => current === '' || normalise(move.en).includes(current) || move.zh.includes(current),
  );
  matches.sort((a, b) => rank(a, current) - rank(b, current));
  return matches.slice(0, limit).map((move) => {
    const value = [...prefix, move.en].join(', ');
    const label = [...chosen.map((m) => `${m.en} ${m.zh}`), `${move.en} ${move.zh}`].join(' + ');
    return { name: label.slice(0, 100), value: value.slice(0, 100) };
  });
}

function rank(move: CameraMove, typed: string): number {
  if (typed === '') return 0;
  return normalise(move.en).startsWith(typed) || move.zh.startsWith(typed) ? 0 : 1;
}
