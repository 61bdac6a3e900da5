/**
 * Probes of what a cache does with the headers cachewise relies on, each a pair of requests for a
 * path whose response headers are fixed: `Vary: Cookie`, `Authorization` on the request,
 * `Set-Cookie`, `X-Accel-Expires` next to `private`, `s-maxage` next to `max-age=0`. The probe
 * application counts the requests per path, so a second request that leaves the count unchanged
 * was answered from the cache.
 */

import { type App, serveOnLoopback } from "../e2e_app.ts";

/** The response headers of each probe path. */
const RESPONSES: Record<string, Record<string, string>> = {
  lifetime: { "cache-control": "s-maxage=3600" },
  "vary-cookie": { "cache-control": "s-maxage=60", vary: "Cookie" },
  "auth-store": { "cache-control": "s-maxage=60" },
  "auth-lookup": { "cache-control": "s-maxage=60" },
  "set-cookie": { "cache-control": "s-maxage=60", "set-cookie": "probe=1; Path=/" },
  "accel-private": { "cache-control": "private", "x-accel-expires": "60" },
  "s-maxage": { "cache-control": "max-age=0, s-maxage=60" },
};

/** The probes, as the docs name them, in the order they run. */
export const PROBES = [
  "Stores a response with `Vary: Cookie`",
  "Stores the response to a request with `Authorization`",
  "Serves a stored response to a request with `Authorization`",
  "Forwards `Authorization` to the application",
  "Stores a response with `Set-Cookie`",
  "Stores `private` with `X-Accel-Expires: 60`",
  "Passes `X-Accel-Expires` on to the client",
  "Serves `max-age=0, s-maxage=60` from the cache",
  "Lifetime left of a page stored with `s-maxage=3600`",
] as const;
export type Probe = typeof PROBES[number];

/** The application the probes ask, through a cache. */
export interface ProbeApp extends App {
  /** Whether each request for a path carried `Authorization`, in order. */
  readonly authorization: Map<string, boolean[]>;
}

/** Starts the probe application on 127.0.0.1: `/probe/ANY/NAME` answers with NAME's headers. */
export async function startProbeApp(): Promise<ProbeApp> {
  const counts = new Map<string, number>();
  const authorization = new Map<string, boolean[]>();
  const app = await serveOnLoopback((request) => {
    const path = new URL(request.url).pathname;
    const count = (counts.get(path) ?? 0) + 1;
    counts.set(path, count);
    authorization.set(path, [
      ...authorization.get(path) ?? [],
      request.headers.has("authorization"),
    ]);
    const headers = RESPONSES[path.split("/")[3] ?? ""] ?? { "cache-control": "no-store" };
    return new Response(`probe #${count}\n`, { headers: { ...headers, "x-count": `${count}` } });
  });
  return { ...app, counts, authorization };
}

/** How to read the lifetime a cache gave an object, where the cache can tell (HAProxy). */
export type LifetimeReader = () => Promise<number | null>;

/**
 * Runs every probe through the cache at `origin` and says what it did, per probe. Paths are
 * prefixed with `name`, so one probe application can serve several caches.
 */
export async function runProbes(
  origin: string,
  app: ProbeApp,
  name: string,
  lifetime?: LifetimeReader,
): Promise<Record<Probe, string>> {
  const auth = { authorization: "Bearer carol" };
  const get = async (probe: string, headers: Record<string, string> = {}) => {
    const path = `/probe/${name}/${probe}`;
    const before = app.counts.get(path) ?? 0;
    const response = await fetch(origin + path, { headers });
    await response.text();
    return { hit: (app.counts.get(path) ?? 0) === before, headers: response.headers };
  };
  const stored = async (probe: string) => {
    await get(probe);
    return (await get(probe)).hit;
  };
  const yes = (value: boolean) => value ? "yes" : "no";
  await get("lifetime");
  const left = lifetime === undefined ? null : await lifetime();
  await get("auth-store", auth);
  const storedForAuthorization = (await get("auth-store")).hit;
  const lookupStored = await stored("auth-lookup");
  const servedToAuthorization = (await get("auth-lookup", auth)).hit;
  await get("set-cookie");
  const cookie = await get("set-cookie");
  const accel = await get("accel-private");
  const accelStored = (await get("accel-private")).hit;
  return {
    "Stores a response with `Vary: Cookie`": yes(await stored("vary-cookie")),
    "Stores the response to a request with `Authorization`": yes(storedForAuthorization),
    "Serves a stored response to a request with `Authorization`": lookupStored
      ? yes(servedToAuthorization)
      : "not stored",
    "Forwards `Authorization` to the application": yes(
      app.authorization.get(`/probe/${name}/auth-store`)?.[0] === true,
    ),
    "Stores a response with `Set-Cookie`": cookie.hit
      ? `yes, ${cookie.headers.has("set-cookie") ? "replays" : "drops"} the cookie`
      : "no",
    "Stores `private` with `X-Accel-Expires: 60`": yes(accelStored),
    "Passes `X-Accel-Expires` on to the client": yes(accel.headers.has("x-accel-expires")),
    "Serves `max-age=0, s-maxage=60` from the cache": yes(await stored("s-maxage")),
    "Lifetime left of a page stored with `s-maxage=3600`": left === null ? "—" : `${left} s`,
  };
}
