/**
 * How a decision is written onto a response, prepared once per decision: the header names and
 * values ready to set, the `Vary` names joined, and whether targeted lifetimes are neutralised.
 * Built-in policies decide from decisions made at construction, so for them writing a response
 * per request only sets strings that already exist.
 *
 * @module
 */

import { mergeVary } from "../headers/vary.ts";

/** The fields of a decision that say what is written (those of `CacheDecision`). */
export interface WrittenFields {
  readonly cacheControl: string | null;
  readonly vary: readonly string[];
  readonly headers: readonly (readonly [name: string, value: string])[];
  readonly neutralisesTargetedLifetimes: boolean;
  readonly setCookie: string | null;
  readonly rejects: boolean;
}

/** What writing a decision does, prepared. */
export interface WritePlan {
  /** Whether the response is rebuilt at all; when not, it is returned as it is. */
  readonly rebuilds: boolean;
  /** Keyed mode: the response is replaced by a 400. */
  readonly rejects: boolean;
  /** Whether targeted lifetime headers the handler set get their "never store" spelling. */
  readonly neutralises: boolean;
  /**
   * Header names and values to set, one after the other (`name, value, name, value`):
   * `Cache-Control` first, then the decision's other headers in their order.
   */
  readonly fields: readonly string[];
  /** The names `Vary` gets, or `null` when the decision adds none. */
  readonly varyNames: readonly string[] | null;
  /** `Vary` for a response that has none: the names joined once. */
  readonly varyAlone: string | null;
  /** The `Set-Cookie` appended, if any. */
  readonly setCookie: string | null;
}

/**
 * Write plans by what they write, so that the decisions a configuration prepares share one plan
 * per distinct set of headers: with 1,000 rules over a handful of lifetimes, a request then reads
 * a plan (and strings) that recent requests already brought into the CPU's caches. Shared within
 * one compiled configuration only, never across requests: a custom policy's decisions are new
 * every time.
 */
export type SharedWritePlans = Map<string, WritePlan>;

const PLAN = Symbol("cachewise write plan");

/**
 * Freezes a decision with its write plan attached, as a property that is neither enumerable nor
 * visible to `JSON.stringify()`, spreading or `assert.deepEqual()`: `CacheDecision` stays what
 * `apply.explain()` documents. With `shared`, a plan that writes the same as one already made is
 * reused.
 */
export function withWritePlan<Decision extends WrittenFields>(
  decision: Decision,
  shared?: SharedWritePlans,
): Decision {
  let plan = planWriting(decision);
  if (shared !== undefined) {
    const key = JSON.stringify(plan);
    plan = shared.get(key) ?? plan;
    shared.set(key, plan);
  }
  Object.defineProperty(decision, PLAN, { value: plan });
  return Object.freeze(decision);
}

/** The plan of a decision, prepared by {@link withWritePlan} or, failing that, now. */
export function writePlanOf(decision: WrittenFields): WritePlan {
  return (decision as { readonly [PLAN]?: WritePlan })[PLAN] ?? planWriting(decision);
}

/** `Vary` for a response whose own `Vary` is `existing` (`null` when it has none). */
export function varyFor(plan: WritePlan, existing: string | null): string | null {
  return existing === null ? plan.varyAlone : mergeVary(existing, plan.varyNames!);
}

function planWriting(decision: WrittenFields): WritePlan {
  const { cacheControl, vary, headers, neutralisesTargetedLifetimes, setCookie, rejects } =
    decision;
  const fields: string[] = cacheControl === null ? [] : ["cache-control", cacheControl];
  for (const [name, value] of headers) fields.push(name, value);
  const varyNames = vary.length > 0 ? Object.freeze([...vary]) : null;
  return Object.freeze({
    rebuilds: cacheControl !== null || neutralisesTargetedLifetimes,
    rejects,
    neutralises: neutralisesTargetedLifetimes,
    fields: Object.freeze(fields),
    varyNames,
    varyAlone: varyNames === null ? null : mergeVary(null, varyNames),
    setCookie,
  });
}
