/**
 * Keyed mode over plain HTTP: the sign-in marker is `Secure` by default, and a browser drops a
 * `Secure` cookie set over `http:` (Chrome and Firefox since version 52, except from localhost).
 * Signed-in pages then never come from the keyed cache, silently. cachewise reports it: in
 * `apply.explain()`'s `warning`, in the debug header and in `cachewise explain`.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { cacheHeaders, type CacheHeadersOptions } from "../mod.ts";
import { formatDebugHeader } from "../src/adapters/_debug.ts";
import { runCli } from "../src/cli/run.ts";

const TIMEOUTS: CacheHeadersOptions["timeouts"] = {
  "all-users": { "1h": ["/static/*"] },
  "per-user": { 60: ["/account/*"] },
};
const KEYED: CacheHeadersOptions = { timeouts: TIMEOUTS, keyed: { sessionCookie: "sessionid" } };
const apply = cacheHeaders(KEYED);
const ANN = { id: "ann" };
const BOTH = "sessionid=s-ann; isauthenticated=1";
const WARNING = "secure-marker-over-http";

function warningOf(
  url: string,
  identity: { id: string } | null,
  headers: Record<string, string> = {},
  response = new Response("page"),
  decide = apply,
): string | null {
  return decide.explain(new Request(url, { headers }), response, identity).warning;
}

describe("keyed mode: a Secure sign-in marker over plain HTTP is reported", () => {
  test("a signed-in request over http: to a public host, with or without the marker", () => {
    // Without the marker (the browser dropped it): the mismatch sets it again, in vain.
    const dropped = apply.explain(
      new Request("http://shop.example/account/x", { headers: { cookie: "sessionid=s-ann" } }),
      new Response("page"),
      ANN,
    );
    assert.equal(dropped.reason, "identity-mismatch");
    assert.match(dropped.setCookie!, /^isauthenticated=1;.*Secure/);
    assert.equal(dropped.warning, WARNING);
    // With both cookies: TLS ends in front, but nothing says so to the application.
    assert.equal(warningOf("http://shop.example/account/x", ANN, { cookie: BOTH }), WARNING);
    assert.equal(warningOf("http://shop.example/static/a.css", ANN, { cookie: BOTH }), WARNING);
  });

  test("a sign-in response over http: that sets the session cookie, and so the marker", () => {
    const signIn = new Response(null, {
      status: 303,
      headers: { location: "/", "set-cookie": "sessionid=s-ann; Path=/; HttpOnly" },
    });
    assert.equal(warningOf("http://shop.example/login", null, {}, signIn), WARNING);
  });

  test("nothing is reported where the browser keeps the marker or none is involved", () => {
    const quiet: [string, string, { id: string } | null, Record<string, string>][] = [
      ["https", "https://shop.example/account/x", ANN, { cookie: "sessionid=s-ann" }],
      ["X-Forwarded-Proto: https", "http://shop.example/account/x", ANN, {
        cookie: BOTH,
        "x-forwarded-proto": "https",
      }],
      ["Forwarded: proto=https", "http://shop.example/account/x", ANN, {
        cookie: BOTH,
        forwarded: 'for=192.0.2.1;proto="https"',
      }],
      ["localhost", "http://localhost:8080/account/x", ANN, { cookie: BOTH }],
      ["127.0.0.1", "http://127.0.0.1:8080/account/x", ANN, { cookie: BOTH }],
      ["[::1]", "http://[::1]:8080/account/x", ANN, { cookie: BOTH }],
      ["an anonymous visitor", "http://shop.example/account/x", null, {}],
      ["a signed-out visitor", "http://shop.example/account/x", null, { cookie: BOTH }],
    ];
    for (const [label, url, identity, headers] of quiet) {
      assert.equal(warningOf(url, identity, headers), null, label);
    }
    assert.equal(
      warningOf("http://shop.example/account/x", ANN, { cookie: "x-forwarded-proto=https" }),
      WARNING,
      "a cookie is not a header",
    );
  });

  test("a marker that is not Secure, and the default mode, report nothing", () => {
    const insecure = cacheHeaders({
      timeouts: TIMEOUTS,
      keyed: { sessionCookie: "sessionid", signInCookieAttributes: { secure: false } },
    });
    const plain = cacheHeaders({ timeouts: TIMEOUTS });
    for (const decide of [insecure, plain]) {
      const url = "http://shop.example/account/x";
      const headers = { cookie: "sessionid=s-ann" };
      assert.equal(warningOf(url, ANN, headers, new Response("page"), decide), null);
    }
  });

  test("the debug header carries it as a token", () => {
    const decision = apply.explain(
      new Request("http://shop.example/account/x", { headers: { cookie: BOTH } }),
      new Response("page"),
      ANN,
    );
    assert.equal(
      formatDebugHeader(decision),
      'cachewise; reason=rule; rule="/account/*"; policy="per-user"; ttl=60; ' +
        "audience=signed-in; shared=?0; warning=secure-marker-over-http",
    );
  });

  test("cachewise explain says it for an http: URL, not for a path (taken on localhost)", async () => {
    const config = "tests/testdata/golden_options.ts";
    const explain = async (target: string) => {
      let stdout = "";
      const streams = { stdout: { write: (t: string) => stdout += t }, stderr: { write() {} } };
      assert.equal(await runCli(["explain", "--config", config, target], streams), 0);
      const json: string[] = [];
      const jsonStreams = { ...streams, stdout: { write: (t: string) => json.push(t) } };
      await runCli(["explain", "--config", config, target, "--json"], jsonStreams);
      return { text: stdout, json: JSON.parse(json.join("")) };
    };
    const http = await explain("http://shop.example/account/settings");
    assert.equal(http.json.signedIn.warning, WARNING);
    assert.equal(http.json.anonymous.warning, null);
    assert.match(http.text, /warning: the sign-in marker is Secure and this request came over/);
    assert.match(http.text, /keyed\.signInCookieAttributes\.secure/);
    const path = await explain("/account/settings");
    assert.equal(path.json.signedIn.warning, null);
    assert.doesNotMatch(path.text, /warning:/);
  });
});
