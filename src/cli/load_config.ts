/**
 * Loading the configuration file the command line is given: JSON in the options' shape, or a
 * JavaScript or TypeScript module whose default export is the options.
 *
 * @module
 */

import process from "node:process";
import type { CacheHeadersOptions } from "../config/options.ts";

/** Loads the options: JSON, or a module's default export, by a dynamic `import()` of a file URL. */
export async function loadOptions(path: string): Promise<CacheHeadersOptions> {
  const url = fileURL(path);
  const loaded = /\.json$/i.test(path) ? await importJson(url) : await import(url);
  const options: unknown = loaded.default;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new TypeError("The file must hold (or export by default) an options object");
  }
  return options as CacheHeadersOptions;
}

/**
 * Imports a JSON module. The attributes are built at run time so that bundlers targeting Node 20
 * keep `with` (Deno 2 knows only `with`); Node before 20.10 knows only `assert`.
 */
async function importJson(url: string): Promise<{ default?: unknown }> {
  const attributes = (key: string) => ({ [key]: { type: "json" } }) as ImportCallOptions;
  try {
    return await import(url, attributes("with"));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string" || !/ASSERTION|ATTRIBUTE/.test(code)) throw error;
    return await import(url, attributes("assert"));
  }
}

/** A `file:` URL for a path, relative paths taken from the working directory. */
function fileURL(path: string): string {
  const absolute = path.startsWith("/") ? path : `${process.cwd()}/${path}`;
  return new URL(`file://${absolute.split("/").map(encodeURIComponent).join("/")}`).href;
}
