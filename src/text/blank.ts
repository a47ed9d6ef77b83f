// Zero-width and bidi control characters render as nothing: a text made only of them is blank.
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD]/g;

/**
 * True when `text` would show nothing: empty, whitespace, or only zero-width and bidi control
 * characters (which Discord renders as nothing). The one test of a blank prompt, for /video's
 * validation and for Edit's reading of a camera command.
 */
export const isBlank = (text: string): boolean => text.replace(INVISIBLE, '').trim() === '';
