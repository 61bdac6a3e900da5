/**
 * Which headers a deployment writes: option `targets` (the headers that carry the shared lifetime)
 * and option `tagHeaders` (the headers that carry cache tags), validated against what
 * `headers/targets.ts` and `headers/tags.ts` know how to write.
 *
 * @module
 */

import { _pathOf, type _ProblemList, _quote } from "./errors.ts";
import { isTargetName, TARGET_NAMES, type TargetName } from "../headers/targets.ts";
import { isTagHeaderName, TAG_HEADER_FORMATS, type TagHeaderName } from "../headers/tags.ts";

/** The targets written when option `targets` is not given: what generic caches and nginx read. */
export const DEFAULT_TARGETS: readonly TargetName[] = Object.freeze([
  "s-maxage",
  "x-accel-expires",
]);

/** Validates option `targets`: distinct target names, in the order given. */
export function readTargets(value: unknown, problems: _ProblemList): readonly TargetName[] {
  if (value === undefined) return DEFAULT_TARGETS;
  if (!Array.isArray(value)) {
    problems.add(
      "invalid-target",
      "targets",
      `Option "targets" must be an array of target names (${knownTargets()}), not ${_quote(value)}`,
    );
    return DEFAULT_TARGETS;
  }
  const targets: TargetName[] = [];
  value.forEach((name, index) => {
    const path = _pathOf("targets", index);
    if (!isTargetName(name)) {
      problems.add(
        "invalid-target",
        path,
        `Target ${_quote(name)} at ${path} is unknown; known targets: ${knownTargets()}`,
      );
    } else if (targets.includes(name)) {
      problems.add("invalid-target", path, `Target ${_quote(name)} at ${path} is listed twice`);
    } else {
      targets.push(name);
    }
  });
  return Object.freeze(targets);
}

/** The known target names, quoted, for messages. */
export function knownTargets(): string {
  return TARGET_NAMES.map((name) => _quote(name)).join(", ");
}

const NAMES = Object.keys(TAG_HEADER_FORMATS).map((name) => _quote(name)).join(", ");

/**
 * Validates option `tagHeaders`: an array of {@link TagHeaderName}s, in any case, each once.
 * Problems are recorded with code `"invalid-option"`.
 *
 * @returns The valid names, lower-case; empty when the option is absent.
 * @example
 * ```ts
 * import { _ProblemList } from "./errors.ts";
 * import { readTagHeaders } from "./header_choices.ts";
 * import assert from "node:assert/strict";
 *
 * const problems = new _ProblemList();
 * assert.deepEqual(readTagHeaders(["Surrogate-Key", "xkey"], problems), ["surrogate-key", "xkey"]);
 * assert.equal(problems.size, 0);
 * ```
 */
export function readTagHeaders(value: unknown, problems: _ProblemList): readonly TagHeaderName[] {
  const invalid = (path: string, message: string) =>
    problems.add("invalid-option", path, `Option "${path}" ${message}`);
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    invalid("tagHeaders", `must be an array of header names (${NAMES}), not ${_quote(value)}`);
    return [];
  }
  const names: TagHeaderName[] = [];
  value.forEach((given: unknown, index) => {
    const path = _pathOf("tagHeaders", index);
    const name = typeof given === "string" ? given.toLowerCase() : "";
    if (!isTagHeaderName(name)) {
      invalid(path, `must be one of ${NAMES}, not ${_quote(given)}`);
    } else if (names.includes(name)) {
      invalid(path, `repeats ${_quote(name)} (header names compare case-insensitively)`);
    } else {
      names.push(name);
    }
  });
  return names;
}
