/**
 * Markers: text that appears only in pages made for one visitor, such as the test account's
 * e-mail address. Another visitor's marker in a body is a leak, whatever the cache said.
 *
 * @module
 */

import type { PreparedVisitor } from "./visitors.ts";

/** No control characters but tab. */
const TEXT = /^[\t\x20-\x7e\x80-\uffff]*$/;

/** A marker: text that appears only in pages made for its visitor. */
export interface Marker {
  /** The visitor whose pages show it. */
  readonly visitor: string;
  /** The text, found verbatim in a body. */
  readonly text: string;
}

/**
 * Validates the markers (option path `markers`): each names a visitor, is 3 to 200 characters of
 * text, and no marker contains another visitor's (a body holding "alice2" would also hold
 * "alice"). Throws a `TypeError` naming the first fault.
 */
export function prepareMarkers(
  markers: Readonly<Record<string, string | readonly string[]>> | undefined,
  visitors: readonly PreparedVisitor[],
): Marker[] {
  if (markers === undefined) return [];
  if (typeof markers !== "object" || markers === null || Array.isArray(markers)) {
    throw new TypeError("Option markers must map visitor names to texts");
  }
  const names = new Set(visitors.map((visitor) => visitor.name));
  const list: Marker[] = [];
  for (const [visitor, value] of Object.entries(markers)) {
    if (!names.has(visitor)) {
      throw new TypeError(`Option markers["${visitor}"]: there is no visitor "${visitor}"`);
    }
    const texts = typeof value === "string" ? [value] : value;
    if (!Array.isArray(texts)) {
      throw new TypeError(`Option markers["${visitor}"] must be a text or a list of texts`);
    }
    texts.forEach((text: unknown, index) => {
      if (
        typeof text !== "string" || text.length < 3 || text.length > 200 ||
        !TEXT.test(text) || text.trim() !== text
      ) {
        throw new TypeError(
          `Option markers["${visitor}"][${index}] must be 3 to 200 characters of text`,
        );
      }
      list.push({ visitor, text });
    });
  }
  for (const a of list) {
    for (const b of list) {
      if (a.visitor !== b.visitor && a.text.includes(b.text)) {
        throw new TypeError(
          `Marker "${a.text}" of ${a.visitor} contains marker "${b.text}" of ${b.visitor}: ` +
            "pick texts that do not contain each other",
        );
      }
    }
  }
  return list;
}
