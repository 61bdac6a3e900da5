/**
 * `cachewise/audit` (npm) and `@cachewise/cachewise/audit` (JSR): check a live deployment from
 * the outside. Every URL is requested as every visitor over several rounds; the report says, per
 * URL and visitor, whether the cache served a stored copy, the lifetime the headers give, and the
 * findings worst first: a page that reached someone it was not made for (another visitor's marker
 * in the body; with the site's cachewise rules, a page of an audience the policy keeps apart), a
 * stored response replaying `Set-Cookie`, a private page from a shared cache, a signed-in visitor
 * served the anonymous page, a page the rules let a cache keep that it never keeps.
 *
 * Works on any site, cachewise or not; uses only `fetch()` and Web standards, so it runs on Deno,
 * Bun, Node and Workers. The command line is `cachewise audit` (see docs/audit.md).
 *
 * @example
 * ```ts
 * import { formatAuditPlan, planAudit } from "@cachewise/cachewise/audit";
 * import assert from "node:assert/strict";
 *
 * const plan = planAudit({
 *   urls: ["https://staging.example.com/account"],
 *   visitors: [{ name: "alice", cookies: ["sessionid=a"] }, { name: "anonymous" }],
 *   markers: { alice: "alice@example.com" },
 *   rounds: 2,
 * });
 * assert.equal(plan.requests, 4);
 * assert.match(formatAuditPlan(plan), /round 2: anonymous → alice/);
 * ```
 *
 * @module
 */

export { audit, type AuditReport, type AuditResult } from "./run.ts";
export { type AuditOptions, type AuditPlan, planAudit } from "./plan.ts";
export { formatAuditPlan, formatAuditReport } from "./report.ts";
export type { Finding, FindingKind, FindingLevel } from "./findings.ts";
export {
  type AuditVisitor,
  mergeVisitors,
  parseVisitor,
  type PreparedVisitor,
} from "./visitors.ts";
export type { Marker } from "./markers.ts";
export { mayCarryCredentials, type Observation } from "./visit.ts";
export { readVerdict, type Says, type Verdict, type VerdictSignal } from "./verdict.ts";
export { type Lifetime, likelyCause, readLifetime, type ReceivedPage } from "./lifetime.ts";
export type { Expectation, RulesJudge } from "./expectations.ts";
export type { RecordedHeaders } from "./lifetime.ts";
