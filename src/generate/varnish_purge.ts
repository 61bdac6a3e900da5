/**
 * The purge endpoint of the generated VCL, written only with `--purge-from` (option `purgeFrom`):
 * `PURGE` requests from the named addresses invalidate tags through the xkey vmod (Debian package
 * `varnish-modules`) or every stored variant of a page through a ban on the URL and host the
 * object was stored for. Everyone else gets `403`. The client is `purge()` / `cachewise purge`
 * (`src/purge/varnish.ts`); the request format is documented there and in docs/purge.md.
 *
 * @module
 */

import { aclEntries, type PurgeSource } from "./purge_from.ts";

/** The cachewise tag set, space separated: what `xkey.purge()` is given. */
const TAG_LIST = "^[A-Za-z0-9._~%-]+( [A-Za-z0-9._~%-]+)*$";
/** Origin-form URLs a ban argument carries safely: printable, without `"` or `\`. */
const BANNABLE_URL = "^/[\\x21\\x23-\\x5b\\x5d-\\x7e]*$";
/** Host names as `cachewise_recv` keys them: lower case, no port. */
const HOST = "^[a-z0-9._:\\x5b\\x5d-]+$";

/**
 * The lines before the subroutines: the vmod and the ACL.
 *
 * @example
 * ```ts
 * import { vclPurgeDeclarations } from "./varnish_purge.ts";
 * import assert from "node:assert/strict";
 *
 * const lines = vclPurgeDeclarations([{ address: "10.0.0.0", prefix: 8, family: 4 }]);
 * assert.deepEqual(lines.slice(-3), ["acl cachewise_purgers {", '    "10.0.0.0"/8;', "}"]);
 * ```
 */
export function vclPurgeDeclarations(sources: readonly PurgeSource[]): string[] {
  return [
    "import xkey;",
    "",
    "# Who may purge (--purge-from). Everyone else gets 403.",
    "acl cachewise_purgers {",
    ...aclEntries(sources).map((entry) => `    ${entry}`),
    "}",
  ];
}

/**
 * Lines at the start of `cachewise_recv`: a `PURGE` goes to `cachewise_purge`.
 *
 * @example
 * ```ts
 * import { VCL_PURGE_RECV } from "./varnish_purge.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(VCL_PURGE_RECV.includes("call cachewise_purge;"));
 * ```
 */
export const VCL_PURGE_RECV: readonly string[] = [
  "unset req.http.X-Cachewise-Purged;",
  'if (req.method == "PURGE") {',
  "call cachewise_purge;",
  "}",
];

/**
 * Lines at the start of `cachewise_backend_response`: what a ban on a page reads.
 *
 * @example
 * ```ts
 * import { VCL_PURGE_STORE } from "./varnish_purge.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(VCL_PURGE_STORE.join("\n"), /X-Cachewise-Url = bereq\.url/);
 * ```
 */
export const VCL_PURGE_STORE: readonly string[] = [
  "# Purge by URL reads these: the URL and host the object is stored for, whatever its key.",
  "set beresp.http.X-Cachewise-Url = bereq.url;",
  'set beresp.http.X-Cachewise-Host = std.tolower(regsub(bereq.http.Host, ":[0-9]*$", ""));',
];

/**
 * Lines in `cachewise_deliver`: the purge headers stay in the cache.
 *
 * @example
 * ```ts
 * import { VCL_PURGE_DELIVER } from "./varnish_purge.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(VCL_PURGE_DELIVER.length, 2);
 * ```
 */
export const VCL_PURGE_DELIVER: readonly string[] = [
  "unset resp.http.X-Cachewise-Url;",
  "unset resp.http.X-Cachewise-Host;",
];

/**
 * The subroutines `cachewise_purge` (called from `cachewise_recv`) and `cachewise_synth` (to call
 * from `vcl_synth`: it tells the client the answer came from this endpoint).
 *
 * @example
 * ```ts
 * import { vclPurgeSubroutines } from "./varnish_purge.ts";
 * import assert from "node:assert/strict";
 *
 * assert.match(vclPurgeSubroutines().join("\n"), /xkey\.softpurge/);
 * ```
 */
export function vclPurgeSubroutines(): string[] {
  const refuse = (why: string, status: number) => [
    `set req.http.X-Cachewise-Purged = "refused: ${why}";`,
    `return (synth(${status}, "Bad Request"));`,
  ];
  const ban = (condition: string) => [
    `if (!std.ban(${condition})) {`,
    'set req.http.X-Cachewise-Purged = "refused: " + std.ban_error();',
    'return (synth(400, "Bad Request"));',
    "}",
  ];
  const url = '"obj.http.X-Cachewise-Url == " + req.url';
  return [
    "sub cachewise_purge {",
    "if (client.ip !~ cachewise_purgers) {",
    'return (synth(403, "Forbidden"));',
    "}",
    "if (req.http.X-Cachewise-Purge-Tags) {",
    "# Tags exactly as written on the responses (xkey header), separated by spaces.",
    `if (req.http.X-Cachewise-Purge-Tags !~ "${TAG_LIST}") {`,
    ...refuse("tags outside the cachewise tag set", 400),
    "}",
    'if (req.http.X-Cachewise-Purge-Soft == "1") {',
    'set req.http.X-Cachewise-Purged = "soft-purged " + xkey.softpurge(req.http.X-Cachewise-Purge-Tags) + " objects";',
    "} else {",
    'set req.http.X-Cachewise-Purged = "purged " + xkey.purge(req.http.X-Cachewise-Purge-Tags) + " objects";',
    "}",
    'return (synth(200, "OK"));',
    "}",
    "# A page: a ban on every object stored for this URL, whatever it was keyed on",
    "# (anonymous, signed-in, each user's); on one host when the request names it.",
    `if (req.url !~ "${BANNABLE_URL}") {`,
    ...refuse("a URL a ban cannot carry", 400),
    "}",
    "if (req.http.X-Cachewise-Purge-Host) {",
    `if (req.http.X-Cachewise-Purge-Host !~ "${HOST}") {`,
    ...refuse("a host name outside a-z 0-9 . _ : [ ] -", 400),
    "}",
    ...ban(`${url} + " && obj.http.X-Cachewise-Host == " + req.http.X-Cachewise-Purge-Host`),
    "} else {",
    ...ban(url),
    "}",
    'set req.http.X-Cachewise-Purged = "banned";',
    'return (synth(200, "OK"));',
    "}",
    "",
    "sub cachewise_synth {",
    "# Says the answer came from the purge endpoint, not from a backend.",
    "if (req.http.X-Cachewise-Purged) {",
    "set resp.http.X-Cachewise-Purge = req.http.X-Cachewise-Purged;",
    "}",
    "}",
  ];
}
