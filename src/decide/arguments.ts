/**
 * Programmer mistakes at the entry points: a Promise or a string where a `Response` belongs, a
 * string or Node's `IncomingMessage` where a `Request` belongs, an identity that is neither
 * `null`/`undefined` nor an object with a non-empty string `id`. Each throws a `TypeError` that
 * says what was passed and what to do, and passes through the `try` blocks that turn a failing
 * custom policy or `identify` into an uncached response: a bug in the caller's code is not
 * something a client sent.
 *
 * The checks sit where the code already branches, so the normal path pays next to nothing: the
 * `Response` check is the `instanceof` that sorted out responses that cannot be rebuilt, the
 * identity check runs only for an identity that is not `null`/`undefined`.
 *
 * @module
 */

import type { Identity } from "../config/policies.ts";

/** A `TypeError` for a wrong argument; the `try` blocks of the per-request path let it through. */
export class _ArgumentError extends TypeError {
  override name = "TypeError";
}

/** What a value is, for an error message: `a Promise`, `the string "/x"`, `undefined`. */
export function _describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (typeof value !== "object" && typeof value !== "function") {
    return `the ${typeof value} ${String(value)}`;
  }
  if (typeof (value as PromiseLike<unknown>).then === "function") return "a Promise";
  if (isNodeRequest(value)) return "Node's IncomingMessage (req)";
  if (Array.isArray(value)) return "an array";
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  return typeof name === "string" && name !== "" && name !== "Object"
    ? `a ${name}`
    : typeof value === "function"
    ? "a function"
    : "a plain object";
}

/** Whether an object's class is named `name` (an instance of another implementation's class). */
function foreignClass(value: unknown, name: string): boolean {
  if (typeof value !== "object" || value === null) return false;
  return Object.getPrototypeOf(value)?.constructor?.name === name;
}

/** Node's `IncomingMessage`, as `http.createServer()` hands it to a listener. */
function isNodeRequest(value: object): boolean {
  const candidate = value as { rawHeaders?: unknown; httpVersion?: unknown };
  return Array.isArray(candidate.rawHeaders) && typeof candidate.httpVersion === "string";
}

const NODE_ADVICE = 'serve the handler with cacheHeadersForNode() from "cachewise/node", ' +
  "which turns Node's (req, res) into a Request and writes the Response back";

/** The error for a `request` argument that is not a `Request`. */
export function _notARequest(value: unknown, caller: string): _ArgumentError {
  const given = `${caller} was given ${_describeValue(value)} where a Request belongs`;
  if (typeof value === "string") {
    return new _ArgumentError(`${given}: pass new Request(url), or the request the server gave`);
  }
  if (typeof value === "object" && value !== null && isNodeRequest(value)) {
    return new _ArgumentError(`${given}: ${NODE_ADVICE}`);
  }
  if (foreignClass(value, "Request")) {
    return new _ArgumentError(
      `${given}: it is a Request of another implementation (the undici package's, another ` +
        "realm's); pass the global Request the server gave the handler",
    );
  }
  return new _ArgumentError(`${given}: pass the Request the server gave the handler`);
}

/** The error for a `response` that is not a `Response`. */
export function _notAResponse(value: unknown): _ArgumentError {
  const given = `cachewise was given ${_describeValue(value)} where a Response belongs`;
  if (typeof (value as PromiseLike<unknown> | null)?.then === "function") {
    return new _ArgumentError(
      `${given}: it needs \`await\`, as in apply(request, await response)`,
    );
  }
  if (typeof value === "string") {
    return new _ArgumentError(`${given}: wrap it as new Response(text)`);
  }
  if (foreignClass(value, "Response")) {
    return new _ArgumentError(
      `${given}: it is a Response of another implementation (the undici package's, another ` +
        "realm's), which cachewise cannot rebuild; create it with the global Response",
    );
  }
  return new _ArgumentError(`${given}: make the handler return a Response`);
}

/**
 * The identity, or `null` for an anonymous visitor: `null` and `undefined` are anonymous, an
 * object with a non-empty string `id` is signed in, and anything else throws.
 *
 * @param value What the caller gave as the identity.
 * @param source Who gave it, for the message: `"apply()"`, `"identify()"`.
 */
export function _toIdentity(value: unknown, source: string): Identity | null {
  if (value === null || value === undefined) return null;
  const id = typeof value === "object" ? (value as { id?: unknown }).id : undefined;
  if (typeof id === "string" && id !== "") return value as Identity;
  const verb = source === "identify()" ? "returned" : "was given the identity";
  const hint = value === false
    ? " (an identify() that answers `false` for an anonymous visitor should answer null)"
    : "";
  throw new _ArgumentError(
    `${source} ${verb} ${_describeValue(value)}${describeId(value, id)}: use null or undefined ` +
      `for an anonymous visitor, or an object with a non-empty string "id" such as ` +
      `{ id: "ann" } for a signed-in one${hint}`,
  );
}

function describeId(value: unknown, id: unknown): string {
  if (typeof value !== "object" || value === null) return "";
  return id === undefined ? " without an id" : ` whose id is ${_describeValue(id)}`;
}
