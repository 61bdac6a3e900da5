/**
 * Models of the three platforms whose keyed mode runs through configuration cachewise generates,
 * each driven by that generated configuration itself:
 *
 * | model | what runs | the platform's part, modelled |
 * | --- | --- | --- |
 * | Cloudflare + Worker | the generated Worker's own code, in this process | `caches.default` (stores what `put` gets, for its `s-maxage`), `fetch` to the origin |
 * | Fastly + VCL | the same plan, run by the Worker's code (the VCL spells it in Fastly's dialect; the real varnishd runs the shared request side in tests/e2e_proxy_test.ts) | the object store keyed by `req.hash` |
 * | Akamai + rules | the generated Property Manager rules, interpreted: Regex, Request Cookie and Request Header criteria; Caching, Cache ID Modification and Remove Vary Header behaviors; a later matching rule overrides an earlier one | the edge cache keyed by URL and the cache ID's cookies |
 *
 * Where the documentation is silent the models take the reading that leaks most: Akamai's
 * cookie parser reads the first or the last duplicate as the test chooses, and stores a
 * `Set-Cookie` response its `Cache-Control` lets it keep.
 */

import type { CacheHeadersOptions } from "../mod.ts";
import { generateCloudflareWorker } from "../src/generate/cloudflare.ts";
import type { AkamaiFeature, AkamaiRule } from "../src/generate/akamai.ts";
import { appCookie } from "./_cache_models.ts";
import { edgeLifetime, type PlatformModel } from "./_platform_models.ts";
import type { DuplicateCookie } from "./_platform_models.ts";

/** What a keyed edge did with one request. */
export interface EdgeAnswer {
  /** The response the visitor got. */
  readonly response: Response;
  /** Whether it came from the edge's cache. */
  readonly hit: boolean;
  /** The `Cookie` header of the request whose response was stored, on a hit. */
  readonly storedFor: string | null;
}

/** The application behind the edge: answers a request (and labels what it made). */
export type Origin = (request: Request) => Response;

/** A keyed edge, fresh and empty. */
export interface KeyedEdge {
  handle(request: Request, origin: Origin): Promise<EdgeAnswer>;
}

// ---------------------------------------------------------------------------------------------
// Cloudflare (and Fastly): the generated Worker, in process
// ---------------------------------------------------------------------------------------------

type WorkerHandler = {
  fetch(
    request: Request,
    env: unknown,
    ctx: { waitUntil(promise: Promise<unknown>): void },
  ): Promise<Response>;
};

/** Loads the generated Worker with `caches` and `fetch` of the caller's choosing. */
export function loadWorker(
  options: CacheHeadersOptions,
): (caches: unknown, fetch: (request: Request) => Promise<Response>) => WorkerHandler {
  const source = generateCloudflareWorker(options);
  const body = source.replace("\nexport default {", "\nreturn {");
  if (body === source) throw new Error("the Worker has no default export to load");
  // The Worker's module body, run as a function that gets the platform's globals as arguments.
  return new Function("caches", "fetch", body) as never;
}

/** `caches.default` as the Worker uses it: put and match by URL, for `s-maxage` seconds. */
class ModelCache {
  readonly #entries = new Map<string, { response: Response; storedFor: string | null }>();
  storedFor: string | null = null;

  match(key: string): Promise<Response | undefined> {
    const entry = this.#entries.get(key);
    this.storedFor = entry?.storedFor ?? null;
    return Promise.resolve(entry?.response.clone());
  }

  async put(key: string, response: Response, storedFor: string | null): Promise<void> {
    if (!/(?:^|,)\s*s-maxage=[1-9]/.test(response.headers.get("cache-control") ?? "")) return;
    const body = await response.arrayBuffer();
    this.#entries.set(key, { response: new Response(body, response), storedFor });
  }
}

/** The generated Worker in front of the origin, with a fresh cache. */
export function workerEdge(
  load: ReturnType<typeof loadWorker>,
): KeyedEdge {
  const cache = new ModelCache();
  let cookie: string | null = null;
  let origin: Origin = () => new Response(null, { status: 500 });
  const handler = load(
    {
      default: {
        match: (key: string) => cache.match(key),
        put: (key: string, r: Response) => cache.put(key, r, cookie),
      },
    },
    (request) => Promise.resolve(origin(request)),
  );
  return {
    async handle(request, next) {
      origin = next;
      cookie = request.headers.get("cookie");
      const waits: Promise<unknown>[] = [];
      const response = await handler.fetch(request, {}, { waitUntil: (p) => waits.push(p) });
      await Promise.all(waits);
      const hit = response.headers.get("x-cachewise-cache") === "HIT";
      return { response, hit, storedFor: hit ? cache.storedFor : null };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Akamai: the generated rules, interpreted
// ---------------------------------------------------------------------------------------------

/** What the matching rules decided for a request, the later overriding the earlier. */
interface AkamaiSettings {
  caching: Readonly<Record<string, unknown>> | null;
  cacheId: readonly Readonly<Record<string, unknown>>[];
  removeVary: boolean;
}

const REGEXPS = new Map<string, RegExp>();

function regexpOf(source: string): RegExp {
  let regexp = REGEXPS.get(source);
  if (regexp === undefined) REGEXPS.set(source, regexp = new RegExp(source));
  return regexp;
}

function matches(criterion: AkamaiFeature, request: Request, duplicate: DuplicateCookie): boolean {
  const options = criterion.options as Record<string, string>;
  const url = new URL(request.url);
  if (criterion.name === "regularExpression") {
    const subject = options.matchString!
      .replace("{{builtin.AK_HOST}}", url.hostname)
      .replace("{{builtin.AK_PATH}}", url.pathname);
    return regexpOf(options.regex!).test(subject);
  }
  if (criterion.name === "requestHeader") {
    return request.headers.has(options.headerName!) === (options.matchOperator === "EXISTS");
  }
  if (criterion.name === "requestCookie") {
    const value = appCookie(request.headers.get("cookie"), options.cookieName!, duplicate);
    return (value !== null) === (options.matchOperator === "EXISTS");
  }
  throw new Error(`the model does not know criterion ${criterion.name}`);
}

function settingsFor(
  rule: AkamaiRule,
  request: Request,
  duplicate: DuplicateCookie,
  settings: AkamaiSettings,
): void {
  const results = rule.criteria.map((criterion) => matches(criterion, request, duplicate));
  const applies = rule.criteriaMustSatisfy === "all"
    ? results.every(Boolean)
    : results.length === 0 || results.some(Boolean);
  if (!applies) return;
  const ids = rule.behaviors.filter((behavior) => behavior.name === "cacheId");
  if (ids.length > 0) settings.cacheId = ids.map((behavior) => behavior.options);
  for (const behavior of rule.behaviors) {
    if (behavior.name === "caching") settings.caching = behavior.options;
    if (behavior.name === "removeVary") settings.removeVary = behavior.options.enabled === true;
  }
  for (const child of rule.children) settingsFor(child, request, duplicate, settings);
}

/** Akamai's edge with the generated rules (`akamaiRules()`), Caching honouring Cache-Control. */
export function akamaiEdge(
  rules: AkamaiRule,
  platform: PlatformModel,
  duplicate: DuplicateCookie,
): KeyedEdge {
  const entries = new Map<string, { response: Response; storedFor: string | null }>();
  const keyOf = (request: Request, settings: AkamaiSettings) => {
    const cookies = settings.cacheId.flatMap((id) =>
      id.rule === "INCLUDE_COOKIES" ? id.elements as string[] : []
    );
    const cookie = request.headers.get("cookie");
    return JSON.stringify([request.url, cookies.map((name) => appCookie(cookie, name, duplicate))]);
  };
  return {
    async handle(request, origin) {
      const settings: AkamaiSettings = { caching: null, cacheId: [], removeVary: false };
      settingsFor(rules, request, duplicate, settings);
      const cacheable = (request.method === "GET" || request.method === "HEAD") &&
        settings.caching?.behavior === "CACHE_CONTROL";
      const key = keyOf(request, settings);
      const entry = cacheable ? entries.get(key) : undefined;
      if (entry !== undefined) {
        return { response: entry.response.clone(), hit: true, storedFor: entry.storedFor };
      }
      const response = origin(request);
      const vary = (response.headers.get("vary") ?? "").split(",").map((name) => name.trim())
        .filter((name) => name !== "" && name.toLowerCase() !== "accept-encoding");
      const storable = cacheable && request.method === "GET" &&
        edgeLifetime(platform, response.headers) !== null &&
        (settings.removeVary || vary.length === 0);
      if (!storable) return { response, hit: false, storedFor: null };
      const body = await response.arrayBuffer();
      entries.set(key, {
        response: new Response(body, response),
        storedFor: request.headers.get("cookie"),
      });
      return { response: new Response(body, response), hit: false, storedFor: null };
    },
  };
}
