/**
 * The audit's judgement of what it saw, on observations written out by hand: every kind of
 * finding, the rules' view of audiences, and a property: leaks are found exactly where an
 * independent model of "another visitor's marker" and "a stored Set-Cookie" says they are.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { judge } from "../src/audit/judge.ts";
import { compileRulesJudge } from "../src/audit/expectations.ts";
import type { Observation } from "../src/audit/mod.ts";
import { type PreparedVisitor, prepareVisitors } from "../src/audit/visitors.ts";

const VISITORS: PreparedVisitor[] = prepareVisitors([
  { name: "alice", cookies: ["sessionid=a"] },
  { name: "bob", cookies: ["sessionid=b"] },
  { name: "anonymous" },
]);
const URL_A = "https://shop.example/account";

function seen(partial: Partial<Observation> & Pick<Observation, "visitor" | "round">): Observation {
  return {
    url: URL_A,
    position: 1,
    fetched: URL_A,
    redirects: 0,
    status: 200,
    error: null,
    verdict: "miss",
    verdictSource: "X-Cache: MISS",
    age: null,
    headers: {},
    setCookies: [],
    digest: `${partial.visitor}-${partial.round}`,
    bytes: 10,
    truncated: false,
    markers: [],
    note: null,
    ...partial,
  };
}

const RULES = compileRulesJudge({
  timeouts: {
    "per-user": { 60: ["/account"] },
    "anonymous-and-authenticated": { 600: ["/products/:id"] },
    "all-users": { "1h": ["/static/*"] },
  },
});
const expectByName = (url: string, name: string) =>
  RULES.expect(url, VISITORS.find((v) => v.name === name)!);

function kinds(observations: Observation[], withRules = false): string[] {
  return judge({
    observations,
    visitors: VISITORS,
    markers: [{ visitor: "alice", text: "alice@example.com" }],
    expect: withRules ? expectByName : null,
  }).map((f) => `${f.level} ${f.kind} ${f.visitor ?? "-"}`);
}

describe("judge()", () => {
  it("calls another visitor's marker in a body a leak, and names whose", () => {
    const findings = judge({
      observations: [
        seen({ visitor: "alice", round: 1, markers: ["alice"] }),
        seen({ visitor: "bob", round: 1, position: 2, markers: ["alice"], verdict: "hit" }),
        seen({ visitor: "bob", round: 2, markers: ["alice"], verdict: "hit" }),
      ],
      visitors: VISITORS,
      markers: [{ visitor: "alice", text: "alice@example.com" }],
      expect: null,
    });
    assert.deepEqual(findings.map((f) => [f.level, f.kind, f.visitor, f.rounds]), [
      ["leak", "marker", "bob", [1, 2]],
    ]);
    assert.match(findings[0]!.message, /marker of alice \(X-Cache: MISS\)/);
  });

  it("calls an anonymous visitor's marker in a signed-in visitor's body the anonymous page", () => {
    const observations = [seen({ visitor: "alice", round: 1, markers: ["anonymous"] })];
    assert.deepEqual(kinds(observations), ["warning anonymous-page alice"]);
  });

  it("calls Set-Cookie on a response from a stored copy a leak, and not on a miss", () => {
    assert.deepEqual(
      kinds([seen({ visitor: "bob", round: 1, setCookies: ["sid"], verdict: "hit" })]),
      [
        "leak set-cookie bob",
      ],
    );
    assert.deepEqual(kinds([seen({ visitor: "bob", round: 1, setCookies: ["sid"] })]), []);
  });

  it("warns of a private page with Age > 0, unless the cache says it missed", () => {
    const privateAged = { headers: { "cache-control": "private, max-age=5" }, age: 3 };
    assert.deepEqual(kinds([seen({ visitor: "bob", round: 2, ...privateAged, verdict: "hit" })]), [
      "warning private-stored bob",
    ]);
    assert.deepEqual(kinds([seen({ visitor: "bob", round: 2, ...privateAged })]), []);
  });

  it("with rules, calls a signed-in user's page served to others a leak", () => {
    const observations = [
      seen({ visitor: "alice", round: 1, digest: "A" }),
      seen({ visitor: "bob", round: 1, position: 2, digest: "A", verdict: "hit" }),
      seen({ visitor: "anonymous", round: 1, position: 3, digest: "A", verdict: "hit" }),
    ];
    assert.deepEqual(kinds(observations, true), [
      "leak audience anonymous",
      "leak audience bob",
    ]);
  });

  it("with rules, lets signed-in users share an anonymous-and-authenticated page", () => {
    const url = "https://shop.example/products/1";
    const observations = [
      seen({ url, visitor: "alice", round: 1, digest: "S" }),
      seen({ url, visitor: "bob", round: 1, position: 2, digest: "S", verdict: "hit" }),
      seen({ url, visitor: "anonymous", round: 1, position: 3, digest: "S", verdict: "hit" }),
    ];
    assert.deepEqual(kinds(observations, true), ["leak audience anonymous"]);
  });

  it("with rules, warns when the anonymous page reaches a signed-in visitor", () => {
    const observations = [
      seen({ visitor: "anonymous", round: 1, digest: "N" }),
      seen({ visitor: "alice", round: 1, position: 2, digest: "N", verdict: "hit" }),
    ];
    assert.deepEqual(kinds(observations, true), ["warning anonymous-page alice"]);
  });

  it("with rules, does not call identical pages the origin made for each a leak", () => {
    const observations = [
      seen({ visitor: "alice", round: 1, digest: "same" }),
      seen({ visitor: "bob", round: 1, position: 2, digest: "same", verdict: "miss" }),
    ];
    assert.deepEqual(kinds(observations, true), []);
  });

  it("with rules, does not take a page the origin makes alike for everyone, kept for anonymous visitors, for a leak", () => {
    const url = "https://shop.example/";
    const observations = [
      seen({ url, visitor: "alice", round: 1, digest: "home" }),
      seen({ url, visitor: "bob", round: 1, position: 2, digest: "home" }),
      seen({ url, visitor: "anonymous", round: 1, position: 3, digest: "home" }),
      seen({ url, visitor: "anonymous", round: 2, digest: "home", verdict: "hit" }),
    ];
    assert.deepEqual(kinds(observations, true), []);
  });

  it("with rules and no verdict at all, takes identical pages as one stored copy", () => {
    const quiet = { verdict: "unknown", verdictSource: null } as const;
    const observations = [
      seen({ visitor: "alice", round: 1, digest: "same", ...quiet }),
      seen({ visitor: "bob", round: 1, position: 2, digest: "same", ...quiet }),
    ];
    assert.deepEqual(kinds(observations, true), ["leak audience bob", "notice no-verdict -"]);
  });

  it("with rules, cannot tell whose a page stored before the audit is, and says so", () => {
    const observations = [
      seen({ visitor: "alice", round: 1, digest: "old", verdict: "hit" }),
      seen({ visitor: "anonymous", round: 1, position: 2, digest: "old", verdict: "hit" }),
    ];
    assert.deepEqual(kinds(observations, true), [
      "warning mixed-audiences alice",
      "warning mixed-audiences anonymous",
    ]);
  });

  it("with rules, notes a shareable page never kept, with the likely cause", () => {
    const url = "https://shop.example/static/app.css";
    const headers = { "cache-control": "s-maxage=60", vary: "Cookie" };
    const observations = [
      seen({ url, visitor: "anonymous", round: 1, headers }),
      seen({ url, visitor: "anonymous", round: 2, headers }),
    ];
    const findings = judge({ observations, visitors: VISITORS, markers: [], expect: expectByName });
    assert.deepEqual(findings.map((f) => [f.kind, f.rounds]), [["never-kept", [1, 2]]]);
    assert.match(findings[0]!.message, /Vary: Cookie/);
    // One request alone gave the cache no chance to reuse anything.
    assert.deepEqual(kinds([observations[0]!], true), []);
  });

  it("notes a marker missing where other visitors' pages show theirs", () => {
    const observations = [
      seen({ visitor: "alice", round: 1, markers: ["alice"] }),
      seen({ visitor: "bob", round: 1, position: 2 }),
    ];
    const findings = judge({
      observations,
      visitors: VISITORS,
      markers: [{ visitor: "alice", text: "alice@x" }, { visitor: "bob", text: "bob@x" }],
      expect: null,
    });
    assert.deepEqual(findings.map((f) => f.kind), ["marker-unseen"]);
    assert.match(findings[0]!.message, /marker of bob is missing/);
  });

  it("warns of failed requests and orders findings worst first", () => {
    const observations = [
      seen({ visitor: "alice", round: 1, status: null, error: "timeout", digest: null }),
      seen({ visitor: "bob", round: 1, position: 2, setCookies: ["s"], verdict: "hit" }),
    ];
    assert.deepEqual(kinds(observations), ["leak set-cookie bob", "warning request-failed alice"]);
  });
});

describe("judge() against an independent model", () => {
  const names = VISITORS.map((visitor) => visitor.name);
  const observationArb = fc.record({
    visitor: fc.constantFrom(...names),
    round: fc.integer({ min: 1, max: 3 }),
    url: fc.constantFrom("https://a.example/x", "https://a.example/y"),
    markers: fc.subarray(names),
    setCookies: fc.subarray(["sid", "theme"]),
    verdict: fc.constantFrom("hit", "miss", "unknown"),
  });

  it("finds a leak for a URL exactly when a body carries a signed-in visitor's marker meant for someone else, or a stored Set-Cookie", () => {
    fc.assert(
      fc.property(fc.array(observationArb, { maxLength: 12 }), (drawn) => {
        const observations = drawn.map((o, index) =>
          seen({ ...o, position: index + 1, digest: `d${index}` })
        );
        const model = new Set<string>();
        for (const o of observations) {
          const foreign = o.markers.some((m) => m !== o.visitor && m !== "anonymous");
          if (foreign || (o.setCookies.length > 0 && o.verdict === "hit")) model.add(o.url);
        }
        const findings = judge({
          observations,
          visitors: VISITORS,
          markers: names.map((visitor) => ({ visitor, text: `${visitor}@example.com` })),
          expect: null,
        });
        const leaks = new Set(findings.filter((f) => f.level === "leak").map((f) => f.url!));
        assert.deepEqual([...leaks].sort(), [...model].sort());
        const levels = findings.map((f) => ["leak", "warning", "notice"].indexOf(f.level));
        assert.deepEqual(levels, [...levels].sort((a, b) => a - b), "worst first");
      }),
      { numRuns: 300 },
    );
  });
});
