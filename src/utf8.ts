/** Where a file stops being UTF-8: the offset and value of the first byte that is not, and its line and column. */
export interface InvalidUtf8 {
  offset: number;
  byte: number;
  line: number;
  column: number;
}

// ignoreBOM: keep a BOM in the text, as readFileSync does; normalizeSource decides about it.
const STRICT = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The text of `bytes`, or where it is not UTF-8. Never a replacement character: a script altered
 * while read would be embedded with a SHA-1 Redis does not compute for the file.
 */
export function decodeUtf8(bytes: Uint8Array): string | InvalidUtf8 {
  try {
    return STRICT.decode(bytes);
  } catch {
    const offset = firstInvalid(bytes);
    // (lastIndexOf counts a negative start from the end: the first byte needs no search.)
    const lineStart = offset === 0 ? 0 : bytes.lastIndexOf(0x0a, offset - 1) + 1;
    const line = 1 + bytes.subarray(0, lineStart).filter((b) => b === 0x0a).length;
    const column = STRICT.decode(bytes.subarray(lineStart, offset)).length + 1;
    return { offset, byte: bytes[offset], line, column };
  }
}

/** The offset of the first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalid(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return bytes.length;
}

/** The length of the well-formed sequence at `i`, or 0. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i];
  if (b < 0x80) return 1;
  // Lead byte → number of continuation bytes and the range the first of them must fall in.
  const [count, low, high] =
    b >= 0xc2 && b <= 0xdf
      ? [1, 0x80, 0xbf]
      : b === 0xe0
        ? [2, 0xa0, 0xbf]
        : b === 0xed
          ? [2, 0x80, 0x9f]
          : b >= 0xe1 && b <= 0xef
            ? [2, 0x80, 0xbf]
            : b === 0xf0
              ? [3, 0x90, 0xbf]
              : b === 0xf4
                ? [3, 0x80, 0x8f]
                : b >= 0xf1 && b <= 0xf3
                  ? [3, 0x80, 0xbf]
                  : [0, 0, 0];
  if (count === 0) return 0;
  for (let k = 1; k <= count; k++) {
    const c = bytes[i + k];
    const [min, max] = k === 1 ? [low, high] : [0x80, 0xbf];
    if (c === undefined || c < min || c > max) return 0;
  }
  return count + 1;
}
