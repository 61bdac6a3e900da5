/**
 * Akamai EdgeGrid request signing (`EG1-HMAC-SHA256`), with Web Crypto only.
 *
 * Follows (read December 2026): https://techdocs.akamai.com/developer/docs/authenticate-with-edgegrid
 * and the reference clients (AkamaiOPEN-edgegrid-python and -node), whose shared test vectors
 * `tests/purge_akamai_test.ts` reproduces:
 *
 * 1. `timestamp` is UTC as `yyyyMMddTHH:mm:ss+0000`, `nonce` a fresh UUID.
 * 2. The header begins `EG1-HMAC-SHA256 client_token=…;access_token=…;timestamp=…;nonce=…;`.
 * 3. The signing key is `base64(HMAC-SHA256(client_secret, timestamp))`.
 * 4. The data to sign joins with tabs: the method in upper case, the scheme and the host (with
 *    its port, if any) in lower case, the path and query, the signed headers (none here), the
 *    content hash (`base64(SHA-256(body))` for a POST with a body, the body cut at 128 KiB;
 *    empty otherwise), and the header of step 2.
 * 5. The signature is `base64(HMAC-SHA256(signing key, data))`, appended as `signature=…`.
 *
 * @module
 */

/**
 * API client credentials from Akamai Control Center (the `.edgerc` fields).
 *
 * @example
 * ```ts
 * import type { EdgeGridCredentials } from "./edgegrid.ts";
 *
 * const credentials: EdgeGridCredentials = {
 *   clientToken: "akab-client-token-xxx-xxxxxxxxxxxxxxxx",
 *   clientSecret: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=",
 *   accessToken: "akab-access-token-xxx-xxxxxxxxxxxxxxxx",
 * };
 * ```
 */
export interface EdgeGridCredentials {
  /** `client_token`. */
  readonly clientToken: string;
  /** `client_secret`: signs, never sent. */
  readonly clientSecret: string;
  /** `access_token`. */
  readonly accessToken: string;
}

/** The longest body part that is hashed, as in the reference clients. */
const MAX_BODY = 131072;
const ENCODER = new TextEncoder();

/**
 * The `Authorization` header for one request.
 *
 * @param credentials The client's tokens and secret.
 * @param request Method, absolute URL and body of the request to sign.
 * @param timestamp Fixed only in tests: defaults to now.
 * @param nonce Fixed only in tests: defaults to a random UUID.
 * @returns The header value, `EG1-HMAC-SHA256 client_token=…;signature=…`.
 *
 * @example
 * ```ts
 * import { signEdgeGrid } from "./edgegrid.ts";
 * import assert from "node:assert/strict";
 *
 * const header = await signEdgeGrid(
 *   { clientToken: "ct", clientSecret: "cs", accessToken: "at" },
 *   { method: "POST", url: "https://akab-x.luna.akamaiapis.net/ccu/v3/delete/tag/production", body: "{}" },
 * );
 * assert.match(header, /^EG1-HMAC-SHA256 client_token=ct;access_token=at;timestamp=\d{8}T/);
 * ```
 */
export async function signEdgeGrid(
  credentials: EdgeGridCredentials,
  request: { readonly method: string; readonly url: string; readonly body?: string },
  timestamp: string = edgeGridTimestamp(new Date()),
  nonce: string = crypto.randomUUID(),
): Promise<string> {
  const url = new URL(request.url);
  const prefix = `EG1-HMAC-SHA256 client_token=${credentials.clientToken};` +
    `access_token=${credentials.accessToken};timestamp=${timestamp};nonce=${nonce};`;
  const method = request.method.toUpperCase();
  const body = request.body ?? "";
  const contentHash = method === "POST" && body.length > 0
    ? base64(await crypto.subtle.digest("SHA-256", ENCODER.encode(body).slice(0, MAX_BODY)))
    : "";
  const data = [
    method,
    url.protocol.slice(0, -1).toLowerCase(),
    url.host.toLowerCase(),
    url.pathname + url.search,
    "",
    contentHash,
    prefix,
  ].join("\t");
  const signingKey = await hmac(credentials.clientSecret, timestamp);
  return `${prefix}signature=${await hmac(signingKey, data)}`;
}

/**
 * EdgeGrid's timestamp format, `yyyyMMddTHH:mm:ss+0000`, in UTC.
 *
 * @example
 * ```ts
 * import { edgeGridTimestamp } from "./edgegrid.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(edgeGridTimestamp(new Date(Date.UTC(2014, 2, 21, 19, 34, 21))), "20140321T19:34:21+0000");
 * ```
 */
export function edgeGridTimestamp(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}T` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}+0000`;
}

async function hmac(key: string, data: string): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    ENCODER.encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return base64(await crypto.subtle.sign("HMAC", cryptoKey, ENCODER.encode(data)));
}

function base64(buffer: ArrayBuffer): string {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
