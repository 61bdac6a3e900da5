/**
 * Cache tags: template validation, rendering from URL groups, and the vendor headers they are
 * written in. The property tests throw hostile group values (any UTF-16, separators, CR/LF) at
 * the renderer and check that every tag stays inside the vendor-safe set and that every header
 * value splits back into exactly the rendered tags.
 */

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { _ProblemList, CacheConfigError } from "../src/config/errors.ts";
import { type CompiledTags, compileTags } from "../src/decide/tag_templates.ts";
import { formatTagHeaders, TAG_HEADER_FORMATS, type TagHeaderName } from "../src/headers/tags.ts";
import { readTagHeaders } from "../src/config/header_choices.ts";
import { URLPatternImpl } from "../src/match/url_pattern.ts";

/** What every vendor accepts in a tag (see the module documentation of src/tags.ts). */
const SAFE_TAG = /^[A-Za-z0-9._~%-]+$/;
const ALL_HEADERS: readonly TagHeaderName[] = [
  "surrogate-key",
  "cache-tag",
  "edge-cache-tag",
  "xkey",
  "netlify-cache-tag",
  "vercel-cache-tag",
  "deno-cache-tag",
];

/** The problems recorded so far, as `code path: message`. */
function problemsOf(problems: _ProblemList): string[] {
  try {
    problems.throwIfAny();
  } catch (error) {
    assert.ok(error instanceof CacheConfigError);
    return error.problems.map((p) => `${p.code} ${p.path}: ${p.message}`);
  }
  return [];
}

/** Compiles `tags` at `rules[0].tags` against `pattern`'s groups; returns the result and problems. */
function compile(
  tags: unknown,
  groups: readonly string[] = ["id"],
  pattern = "/products/:id",
): { compiled: CompiledTags | null; problems: string[] } {
  const problems = new _ProblemList();
  const compiled = compileTags(
    tags,
    "rules[0].tags",
    JSON.stringify(pattern),
    new Set(groups),
    problems,
  );
  return { compiled, problems: problemsOf(problems) };
}

/** Renders compiled tags with the groups of a plain object. */
function render(compiled: CompiledTags | null, groups: Record<string, string | undefined>) {
  assert.ok(compiled !== null);
  return compiled.render((name) => groups[name]);
}

describe("readTagHeaders()", () => {
  test("accepts the vendor names in any case and returns them lower-case, in order", () => {
    const problems = new _ProblemList();
    const names = readTagHeaders(
      ["XKEY", "Surrogate-Key", "edge-cache-tag", "Cache-Tag"],
      problems,
    );
    assert.deepEqual(names, ["xkey", "surrogate-key", "edge-cache-tag", "cache-tag"]);
    assert.deepEqual(problemsOf(problems), []);
  });

  test("an absent option means no tag headers", () => {
    const problems = new _ProblemList();
    assert.deepEqual(readTagHeaders(undefined, problems), []);
    assert.deepEqual(problemsOf(problems), []);
  });

  const cases: readonly [name: string, value: unknown, valid: string[], expected: string[]][] = [
    [
      "a value that is not an array",
      "surrogate-key",
      [],
      [
        'invalid-option tagHeaders: Option "tagHeaders" must be an array of header names ("surrogate-key", "cache-tag", "edge-cache-tag", "xkey", "netlify-cache-tag", "vercel-cache-tag", "deno-cache-tag"), not "surrogate-key"',
      ],
    ],
    [
      "unknown names and non-strings, keeping the valid ones",
      ["fastly", "xkey", 7, " xkey"],
      ["xkey"],
      [
        'invalid-option tagHeaders[0]: Option "tagHeaders[0]" must be one of "surrogate-key", "cache-tag", "edge-cache-tag", "xkey", "netlify-cache-tag", "vercel-cache-tag", "deno-cache-tag", not "fastly"',
        'invalid-option tagHeaders[2]: Option "tagHeaders[2]" must be one of "surrogate-key", "cache-tag", "edge-cache-tag", "xkey", "netlify-cache-tag", "vercel-cache-tag", "deno-cache-tag", not 7',
        'invalid-option tagHeaders[3]: Option "tagHeaders[3]" must be one of "surrogate-key", "cache-tag", "edge-cache-tag", "xkey", "netlify-cache-tag", "vercel-cache-tag", "deno-cache-tag", not " xkey"',
      ],
    ],
    [
      "a name given twice, compared case-insensitively",
      ["cache-tag", "xkey", "Cache-Tag"],
      ["cache-tag", "xkey"],
      [
        'invalid-option tagHeaders[2]: Option "tagHeaders[2]" repeats "cache-tag" (header names compare case-insensitively)',
      ],
    ],
  ];
  for (const [name, value, valid, expected] of cases) {
    test(`reports ${name}`, () => {
      const problems = new _ProblemList();
      assert.deepEqual(readTagHeaders(value, problems), valid);
      assert.deepEqual(problemsOf(problems), expected);
    });
  }
});

describe("TAG_HEADER_FORMATS", () => {
  test("spells each header as its vendor documents it, with its separator and limits", () => {
    const table = Object.entries(TAG_HEADER_FORMATS).map(([name, f]) => [
      name,
      f.header,
      f.separator,
      f.maxTagLength,
      f.maxHeaderLength,
      f.maxTags,
    ]);
    assert.deepEqual(table, [
      ["surrogate-key", "Surrogate-Key", " ", 1024, 16384, Infinity],
      ["cache-tag", "Cache-Tag", ",", 1024, 16000, 1000],
      ["edge-cache-tag", "Edge-Cache-Tag", ",", 128, 4096, 128],
      ["xkey", "xkey", " ", 1024, 8000, Infinity],
      ["netlify-cache-tag", "Netlify-Cache-Tag", ",", 1024, 16000, 1000],
      ["vercel-cache-tag", "Vercel-Cache-Tag", ",", 1024, 16000, 1000],
      ["deno-cache-tag", "Deno-Cache-Tag", ",", 1024, 16000, 500],
    ]);
  });

  test("cannot be changed at run time", () => {
    assert.ok(Object.isFrozen(TAG_HEADER_FORMATS));
    for (const format of Object.values(TAG_HEADER_FORMATS)) assert.ok(Object.isFrozen(format));
  });
});

describe("compileTags()", () => {
  test("keeps fixed tags as they are and renders them for every URL without reading groups", () => {
    const { compiled, problems } = compile(["products", "shop.v2_~x"]);
    assert.deepEqual(problems, []);
    assert.ok(compiled !== null);
    assert.deepEqual(compiled.fixed, ["products", "shop.v2_~x"]);
    assert.equal(compiled.dynamic, false);
    assert.deepEqual(
      compiled.render(() => assert.fail("a fixed tag reads no group")),
      ["products", "shop.v2_~x"],
    );
  });

  test("substitutes group values, in declaration order", () => {
    const { compiled, problems } = compile(["product-:id", "products", ":id"]);
    assert.deepEqual(problems, []);
    assert.equal(compiled?.dynamic, true);
    assert.deepEqual(compiled?.fixed, ["products"]);
    assert.deepEqual(render(compiled, { id: "42" }), ["product-42", "products", "42"]);
  });

  test("reads a group name as far as [A-Za-z0-9_] goes: :shop-page is group shop, then -page", () => {
    const { compiled, problems } = compile(["shop-:shop-page", "x:a_1.y"], ["shop", "a_1"]);
    assert.deepEqual(problems, []);
    assert.deepEqual(render(compiled, { shop: "north", a_1: "v" }), ["shop-north-page", "xv.y"]);
  });

  test("renders several groups in one tag", () => {
    const { compiled } = compile([":lang-:id"], ["lang", "id"]);
    assert.deepEqual(render(compiled, { lang: "en", id: "7" }), ["en-7"]);
  });

  test("leaves out a tag whose group did not take part or is empty, and keeps the others", () => {
    const { compiled } = compile(["page-:page", "product-:id", "all"], ["id", "page"]);
    assert.deepEqual(render(compiled, { id: "1", page: undefined }), ["product-1", "all"]);
    assert.deepEqual(render(compiled, { id: "", page: "2" }), ["page-2", "all"]);
  });

  test("gives each tag once, where it first appears", () => {
    const { compiled } = compile(["p-:id", "p-1", ":id", "p:id"], ["id"]);
    assert.deepEqual(render(compiled, { id: "1" }), ["p-1", "1", "p1"]);
    assert.deepEqual(render(compiled, { id: "-1" }), ["p--1", "p-1", "-1"]);
  });

  test("asks only for the groups the templates name", () => {
    const { compiled } = compile(["a-:id", "b"], ["id", "secret"]);
    const asked: string[] = [];
    compiled?.render((name) => {
      asked.push(name);
      return "v";
    });
    assert.deepEqual(asked, ["id"]);
  });

  const encodings: readonly [value: string, tag: string][] = [
    ["caf%C3%A9", "caf%C3%A9"],
    ["A-z.0_9~%", "A-z.0_9~%"],
    ["a b", "a%20b"],
    ["a,b", "a%2Cb"],
    ["a\r\nSet-Cookie: x=1", "a%0D%0ASet-Cookie%3A%20x%3D1"],
    ["a/b:c;d", "a%2Fb%3Ac%3Bd"],
    ["é", "%C3%A9"],
    ["\u{1F600}", "%F0%9F%98%80"],
    ["\uD800x", "%EF%BF%BDx"],
    ['"*<>', "%22%2A%3C%3E"],
  ];
  for (const [value, tag] of encodings) {
    test(`percent-encodes group value ${JSON.stringify(value)} as ${JSON.stringify(tag)}`, () => {
      const { compiled } = compile([":id"]);
      assert.deepEqual(render(compiled, { id: value }), [tag]);
    });
  }

  test("renders the groups of a real URLPattern match", () => {
    const pattern = new URLPatternImpl({ pathname: "/shop/:shop/:page?" });
    const { compiled, problems } = compile(["shop-:shop", "page-:shop-:page"], ["shop", "page"]);
    assert.deepEqual(problems, []);
    const tagsOf = (url: string) => {
      const groups = pattern.exec(url)?.pathname.groups ?? {};
      return compiled?.render((name) => groups[name]);
    };
    assert.deepEqual(tagsOf("https://example.com/shop/caf%C3%A9/2"), [
      "shop-caf%C3%A9",
      "page-caf%C3%A9-2",
    ]);
    assert.deepEqual(tagsOf("https://example.com/shop/a b"), ["shop-a%20b"]);
    assert.deepEqual(tagsOf("https://example.com/shop/a,b%2C"), ["shop-a%2Cb%2C"]);
  });

  const problemCases: readonly [
    name: string,
    tags: unknown,
    groups: string[],
    expected: string[],
  ][] = [
    [
      "tags that are not an array",
      "products",
      ["id"],
      ['invalid-tag rules[0].tags: Tags at rules[0].tags must be an array of strings, not "products"'],
    ],
    [
      "an empty list",
      [],
      ["id"],
      ["invalid-tag rules[0].tags: Tags at rules[0].tags must list at least one tag"],
    ],
    [
      "a tag that is not a string",
      [42, null],
      ["id"],
      [
        "invalid-tag rules[0].tags[0]: Tag 42 at rules[0].tags[0] must be a string",
        "invalid-tag rules[0].tags[1]: Tag null at rules[0].tags[1] must be a string",
      ],
    ],
    [
      "an empty template",
      [""],
      ["id"],
      ['invalid-tag rules[0].tags[0]: Tag "" at rules[0].tags[0] is empty'],
    ],
    [
      "control characters",
      ["a\nb", "x\u0085"],
      ["id"],
      [
        'invalid-tag rules[0].tags[0]: Tag "a\\nb" at rules[0].tags[0] contains control characters',
        'invalid-tag rules[0].tags[1]: Tag "x\u0085" at rules[0].tags[1] contains control characters',
      ],
    ],
    [
      "characters some vendor refuses or splits on",
      ["a b,c", "a/b*%", "prix-€"],
      ["id"],
      [
        'invalid-tag rules[0].tags[0]: Tag "a b,c" at rules[0].tags[0] contains " ", ",", which not every cache accepts; literal text may use letters, digits, "-", ".", "_" and "~"',
        'invalid-tag rules[0].tags[1]: Tag "a/b*%" at rules[0].tags[1] contains "/", "*", "%", which not every cache accepts; literal text may use letters, digits, "-", ".", "_" and "~"',
        'invalid-tag rules[0].tags[2]: Tag "prix-€" at rules[0].tags[2] contains "€", which not every cache accepts; literal text may use letters, digits, "-", ".", "_" and "~"',
      ],
    ],
    [
      'a ":" that starts no group reference, escaped or not',
      ["a:", "a:-b", "x:0", "\\:id"],
      ["id"],
      [
        'invalid-tag rules[0].tags[0]: Tag "a:" at rules[0].tags[0] has a ":" without a group name after it; a literal ":" is not allowed (Akamai refuses it)',
        'invalid-tag rules[0].tags[1]: Tag "a:-b" at rules[0].tags[1] has a ":" without a group name after it; a literal ":" is not allowed (Akamai refuses it)',
        'invalid-tag rules[0].tags[2]: Tag "x:0" at rules[0].tags[2] has a ":" without a group name after it; a literal ":" is not allowed (Akamai refuses it)',
        'invalid-tag rules[0].tags[3]: Tag "\\\\:id" at rules[0].tags[3] contains "\\\\", which not every cache accepts; literal text may use letters, digits, "-", ".", "_" and "~"',
      ],
    ],
    [
      "a group the pattern does not define",
      ["product-:idd", "p-:id"],
      ["id", "lang"],
      [
        'invalid-tag rules[0].tags[0]: Tag "product-:idd" at rules[0].tags[0] refers to group "idd", which pattern "/products/:id" does not define; its groups: "id", "lang"',
      ],
    ],
    [
      "a group reference on a pattern without named groups",
      ["p-:id"],
      [],
      [
        'invalid-tag rules[0].tags[0]: Tag "p-:id" at rules[0].tags[0] refers to group "id", which pattern "/products/:id" does not define; it has no named groups',
      ],
    ],
    [
      "a template given twice",
      ["a", "p-:id", "a", "p-:id"],
      ["id"],
      [
        'invalid-tag rules[0].tags[2]: Tag "a" at rules[0].tags[2] repeats rules[0].tags[0]',
        'invalid-tag rules[0].tags[3]: Tag "p-:id" at rules[0].tags[3] repeats rules[0].tags[1]',
      ],
    ],
    [
      "literal text longer than 128 characters",
      ["x".repeat(129), `${"y".repeat(120)}-:id-${"z".repeat(8)}`],
      ["id"],
      [
        `invalid-tag rules[0].tags[0]: Tag "${
          "x".repeat(129)
        }" at rules[0].tags[0] has 129 characters of literal text, more than the 128 Akamai accepts`,
        `invalid-tag rules[0].tags[1]: Tag "${"y".repeat(120)}-:id-${
          "z".repeat(8)
        }" at rules[0].tags[1] has 130 characters of literal text, more than the 128 Akamai accepts`,
      ],
    ],
    [
      "more than 128 tags",
      Array.from({ length: 129 }, (_, i) => `t${i}`),
      ["id"],
      ["invalid-tag rules[0].tags: Tags at rules[0].tags must be at most 128 (Akamai's limit), not 129"],
    ],
  ];
  for (const [name, tags, groups, expected] of problemCases) {
    test(`reports ${name}`, () => {
      assert.deepEqual(compile(tags, groups).problems, expected);
    });
  }

  test("accepts the limits themselves: 128 tags, 128 characters of literal text", () => {
    const many = compile(Array.from({ length: 128 }, (_, i) => `t${i}`));
    assert.deepEqual(many.problems, []);
    assert.equal(many.compiled?.fixed.length, 128);
    const long = compile(["x".repeat(128), `${"y".repeat(124)}-:id-${"z".repeat(2)}`]);
    assert.deepEqual(long.problems, []);
  });

  test("returns null when no tag is valid, and the valid ones otherwise", () => {
    assert.equal(compile(["a b", "p-:nope"]).compiled, null);
    const some = compile(["a b", "p-:id", "ok", "ok"]);
    assert.equal(some.problems.length, 2);
    assert.deepEqual(render(some.compiled, { id: "1" }), ["p-1", "ok"]);
  });
});

describe("formatTagHeaders()", () => {
  test("writes every configured header with its vendor's spelling and separator", () => {
    assert.deepEqual(formatTagHeaders(["product-1", "products"], ALL_HEADERS), [
      ["Surrogate-Key", "product-1 products"],
      ["Cache-Tag", "product-1,products"],
      ["Edge-Cache-Tag", "product-1,products"],
      ["xkey", "product-1 products"],
      ["Netlify-Cache-Tag", "product-1,products"],
      ["Vercel-Cache-Tag", "product-1,products"],
      ["Deno-Cache-Tag", "product-1,products"],
    ]);
    assert.deepEqual(formatTagHeaders(["a"], ["xkey", "cache-tag"]), [["xkey", "a"], [
      "Cache-Tag",
      "a",
    ]]);
  });

  test("writes nothing for no tags or no headers", () => {
    assert.deepEqual(formatTagHeaders([], ALL_HEADERS), []);
    assert.deepEqual(formatTagHeaders(["a"], []), []);
  });

  test("refuses more tags than a vendor keeps", () => {
    const tags = Array.from({ length: 129 }, (_, i) => `t${i}`);
    assert.equal(formatTagHeaders(tags, ["edge-cache-tag"]), null);
    assert.equal(formatTagHeaders(tags.slice(0, 128), ["edge-cache-tag"])?.length, 1);
    assert.equal(formatTagHeaders(tags, ["surrogate-key", "xkey"])?.length, 2);
    assert.equal(formatTagHeaders(tags, ["surrogate-key", "edge-cache-tag"]), null);
    const thousand = Array.from({ length: 1001 }, (_, i) => `${i}`);
    assert.equal(formatTagHeaders(thousand, ["cache-tag"]), null);
    const fiveHundred = Array.from({ length: 501 }, (_, i) => `${i}`);
    assert.equal(formatTagHeaders(fiveHundred, ["deno-cache-tag"]), null);
    assert.equal(formatTagHeaders(fiveHundred.slice(0, 500), ["deno-cache-tag"])?.length, 1);
    assert.equal(formatTagHeaders(thousand.slice(0, 1000), ["cache-tag"])?.length, 1);
  });

  for (const name of ALL_HEADERS) {
    const { maxTagLength, maxHeaderLength } = TAG_HEADER_FORMATS[name];

    test(`refuses a tag longer than ${maxTagLength} characters in ${name}`, () => {
      assert.equal(formatTagHeaders(["a".repeat(maxTagLength)], [name])?.length, 1);
      assert.equal(formatTagHeaders(["a".repeat(maxTagLength + 1)], [name]), null);
    });

    test(`refuses a value longer than ${maxHeaderLength} characters in ${name}`, () => {
      const tags = tagsFilling(maxHeaderLength);
      const value = formatTagHeaders(tags, [name])?.[0]?.[1];
      assert.equal(value?.length, maxHeaderLength);
      assert.equal(formatTagHeaders([...tags.slice(0, -1), `${tags.at(-1)}x`], [name]), null);
    });
  }

  test("refuses a tag no template could render (separators, colons, empty)", () => {
    for (const tag of ["a b", "a,b", "a:b", "", "a\r\nb", "é"]) {
      assert.equal(formatTagHeaders(["ok", tag], ALL_HEADERS), null, JSON.stringify(tag));
    }
  });
});

/**
 * Distinct tags of 5 to 100 characters that, joined with a one-character separator, are exactly
 * `length` characters long.
 */
function tagsFilling(length: number): string[] {
  const tags: string[] = [];
  let left = length;
  for (let i = 0;; i++) {
    const id = `${i}`.padStart(4, "0");
    if (left <= 100) return [...tags, id + "-".repeat(left - 4)];
    const size = left - 101 >= 5 ? 100 : left - 6;
    tags.push(id + "-".repeat(size - 4));
    left -= size + 1;
  }
}

describe("properties", () => {
  /** Any UTF-16 string, lone surrogates included, and text made of separators and escapes. */
  const hostile = fc.oneof(
    fc.string({ unit: "binary", maxLength: 4 }),
    fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 4 }).map((units) =>
      String.fromCharCode(...units)
    ),
    fc.string({
      unit: fc.constantFrom(" ", ",", ":", "%", "\r", "\n", "\t", ";", '"', "a"),
      maxLength: 4,
    }),
  );

  test("every rendered tag stays in the vendor-safe set and splits back out of every header", () => {
    const { compiled } = compile(["p-:id", ":lang.:id", "all"], ["id", "lang"]);
    fc.assert(
      fc.property(fc.option(hostile, { nil: undefined }), hostile, (id, lang) => {
        const tags = render(compiled, { id, lang });
        for (const tag of tags) assert.match(tag, SAFE_TAG);
        assert.equal(new Set(tags).size, tags.length);
        const fields = formatTagHeaders(tags, ALL_HEADERS);
        assert.ok(fields !== null, `${JSON.stringify(tags)} fit every header`);
        fields.forEach(([header, value], index) => {
          const format = TAG_HEADER_FORMATS[ALL_HEADERS[index]!];
          assert.equal(header, format.header);
          assert.deepEqual(value.split(format.separator), tags);
        });
      }),
      { numRuns: 500 },
    );
  });

  test("a group value without % decodes back to itself", () => {
    const { compiled } = compile([":id"]);
    fc.assert(
      fc.property(fc.string({ unit: "binary", minLength: 1, maxLength: 16 }), (id) => {
        fc.pre(!id.includes("%"));
        const [tag] = render(compiled, { id });
        assert.ok(tag !== undefined);
        assert.equal(decodeURIComponent(tag), id);
      }),
      { numRuns: 300 },
    );
  });
});
