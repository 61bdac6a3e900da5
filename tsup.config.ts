import { defineConfig } from "tsup";

// The npm build: ESM with type declarations. Dependencies (urlpattern-polyfill) stay external so
// Node resolves them at run time, and only where URLPattern is missing (src/url_pattern.ts).
export default defineConfig({
  entry: { mod: "mod.ts" },
  format: ["esm"],
  target: "node20",
  dts: true,
  clean: true,
  sourcemap: false,
  splitting: false,
  treeshake: true,
});
