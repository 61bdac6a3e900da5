import { defineConfig } from "tsup";

// The npm build: ESM with type declarations. Dependencies (urlpattern-polyfill) stay external so
// Node resolves them at run time, and only where URLPattern is missing (src/url_pattern.ts).
export default defineConfig({
  entry: {
    mod: "mod.ts",
    hono: "src/adapters/hono.ts",
    elysia: "src/adapters/elysia.ts",
    node: "src/adapters/node.ts",
    workers: "src/adapters/workers.ts",
    debug: "src/adapters/debug.ts",
    matrix: "src/adapters/matrix.ts",
    generate: "src/generate/mod.ts",
    audit: "src/audit/mod.ts",
    purge: "src/purge/mod.ts",
    cli: "cli.ts",
    bin: "src/cli/bin.ts", // the executable; cli.ts only exports run()
  },
  format: ["esm"],
  target: "node20",
  dts: true,
  clean: true,
  sourcemap: false,
  splitting: true, // one copy of the core shared by mod, generate and cli (one CacheConfigError class)
  treeshake: true,
});
