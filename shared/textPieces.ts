/**
 * Text that may outgrow one string property of a Table entity (at most 64 KiB: 32,768 UTF-16 code
 * units) is cut into pieces, one property each, named by their index, and joined again on read. A
 * board of 100 large orders or a directory of thousands of stores needs a few; most, one.
 */

/** Code units per piece: 30,000 of them are 60,000 bytes, under the 64 KiB a string property holds. */
export const PIECE_CHARS = 30_000;

/** The properties holding `text`, the first named `name(0)`. A cut never parts a surrogate pair (an emoji): either half alone is not valid text. */
export function toPieces(text: string, name: (index: number) => string): Record<string, string> {
  const pieces: Record<string, string> = {};
  for (let i = 0, from = 0; i === 0 || from < text.length; i++) {
    let to = Math.min(from + PIECE_CHARS, text.length);
    if (to < text.length && /[\uD800-\uDBFF]/.test(text[to - 1]!)) to--;
    pieces[name(i)] = text.slice(from, to);
    from = to;
  }
  return pieces;
}

/** The text `toPieces` cut: the pieces `name(0)`, `name(1)`... joined, up to the first missing one. */
export function fromPieces(entity: object, name: (index: number) => string): string {
  const properties = entity as Readonly<Record<string, unknown>>;
  let text = '';
  for (let i = 0, piece = properties[name(0)]; typeof piece === 'string'; piece = properties[name(++i)]) text += piece;
  return text;
}
