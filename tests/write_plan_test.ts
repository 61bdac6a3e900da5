import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { cacheHeaders, type Policy } from "../mod.ts";
import { writePlanOf } from "../src/decide/write_plan.ts";
import { request } from "./_helpers.ts";

const hello = () => new Response("hello");

describe("write plans", () => {
  const apply = cacheHeaders({
    timeouts: {
      "all-users": { 60: ["/a/*", "/b/*"], 120: ["/c/*"] },
      "anonymous-only": { 60: ["/d/*", "/e/*"] },
    },
  });
  const explain = (path: string) => apply.explain(request(path), hello(), null);

  test("decisions of different rules that write the same headers share one plan", () => {
    const [a, b, c] = [explain("/a/1"), explain("/b/1"), explain("/c/1")];
    assert.notEqual(a, b, "each rule keeps its own decision, which names it");
    assert.notEqual(a.rule, b.rule);
    assert.equal(writePlanOf(a), writePlanOf(b));
    assert.notEqual(writePlanOf(a), writePlanOf(c), "another lifetime is another plan");
    assert.equal(writePlanOf(explain("/d/1")), writePlanOf(explain("/e/1")));
    assert.notEqual(writePlanOf(explain("/d/1")), writePlanOf(a), "Vary makes another plan");
  });

  test("a plan holds the headers ready to set and Vary joined once", () => {
    assert.deepEqual(writePlanOf(explain("/d/1")), {
      rebuilds: true,
      rejects: false,
      neutralises: false,
      fields: ["cache-control", "max-age=5, s-maxage=60", "X-Accel-Expires", "60"],
      varyNames: ["Cookie", "Authorization"],
      varyAlone: "Cookie, Authorization",
      setCookie: null,
    });
    assert.equal(writePlanOf(explain("/nothing")).neutralises, true);
  });

  test("the plan is invisible in the decision apply.explain() returns", () => {
    const decision = explain("/d/1");
    assert.deepEqual(Object.keys({ ...decision }), Object.keys(decision));
    assert.equal(Object.getOwnPropertySymbols(decision).length, 1);
    assert.equal(Object.keys(decision).length, 13);
    assert.equal(JSON.stringify(decision).includes("fields"), false);
    assert.deepEqual({ ...decision }, decision, "spreading loses nothing deepEqual compares");
    assert.ok(Object.isFrozen(decision));
  });

  test("a custom policy's decision gets a plan of its own on every request", async () => {
    const echo: Policy = ({ request }) => ({
      cacheControl: { maxAge: 5, sMaxage: 60 },
      headers: { "x-echo": new URL(request.url).pathname },
    });
    const custom = cacheHeaders({ policies: { echo }, timeouts: { echo: { 60: ["/*"] } } });
    const one = custom(request("/one"), hello());
    const two = custom(request("/two"), hello());
    assert.equal(one.headers.get("x-echo"), "/one");
    assert.equal(two.headers.get("x-echo"), "/two");
    assert.equal(await two.text(), "hello");
  });
});
