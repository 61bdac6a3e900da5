/**
 * The configuration file of the command line: found in the working directory when `--config` is
 * left out, and loaded with jiti (the loader of Nuxt, Tailwind and ESLint's config files), so a
 * TypeScript config loads the same under `npx` (Node 20, which cannot import `.ts` itself),
 * `bunx` and `deno run`.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";
import { createJiti } from "jiti";
import type { CacheHeadersOptions } from "../config/options.ts";

/** The names `--config` defaults to, looked for in the working directory in this order. */
export const CONFIG_FILE_NAMES: readonly string[] = [
  "cachewise.config.ts",
  "cachewise.config.mts",
  "cachewise.config.js",
  "cachewise.config.mjs",
  "cachewise.config.json",
];

/** The first of {@link CONFIG_FILE_NAMES} in `directory`, or `null` when there is none. */
export function findConfigFile(directory: string = process.cwd()): string | null {
  for (const name of CONFIG_FILE_NAMES) {
    const path = join(directory, name);
    if (existsSync(path)) return path;
  }
  return null;
}

/**
 * Loads the options: the default export of a TypeScript or JavaScript module, or a JSON file.
 * A relative path is taken from the working directory. Throws when the file is missing, does not
 * load, or holds no options object.
 */
export async function loadOptions(path: string): Promise<CacheHeadersOptions> {
  const file = resolve(process.cwd(), path);
  if (!existsSync(file)) throw new Error(`No such file: ${path}`);
  // interopDefault off: a module without a default export must not pass for its namespace.
  const jiti = createJiti(import.meta.url, { interopDefault: false });
  const loaded = await jiti.import<{ default?: unknown }>(file);
  const options = loaded?.default;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError(
      /\.json$/i.test(file)
        ? "The file must hold an options object"
        : "The module must export the options object by default (export default { timeouts: … })",
    );
  }
  return options as CacheHeadersOptions;
}
