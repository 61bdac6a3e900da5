/**
 * docs/self-hosted.md shows, for each self-hosted cache, exactly the configuration the test helper
 * writes (tests/testdata/caches/), with the placeholders below for the paths and ports. The
 * measured tables of the same page are checked by tests/e2e_caches_test.ts.
 * `UPDATE_DOCS=1 npx deno test -A tests/self_hosted_doc_test.ts` rewrites the blocks.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { SELF_HOSTED_CACHES } from "./testdata/caches/mod.ts";
import { configBlocks } from "./testdata/caches/report.ts";
import { syncSection } from "./_doc_sections.ts";

const DOC = fileURLToPath(new URL("../docs/self-hosted.md", import.meta.url));
const UPDATE = "UPDATE_DOCS=1 npx deno test -A tests/self_hosted_doc_test.ts";

describe("docs/self-hosted.md", () => {
  for (const cache of SELF_HOSTED_CACHES) {
    test(`shows the configuration the ${cache.title} helper runs`, () => {
      const files = cache.config({
        backend: "127.0.0.1:8000",
        port: 8080,
        dir: `/var/cache/cachewise/${cache.id}`,
      });
      const wanted = configBlocks(files);
      const { current } = syncSection(DOC, `config-${cache.id}`, wanted);
      assert.equal(current, wanted, `section config-${cache.id}; update it: ${UPDATE}`);
    });
  }
});
