// Bundle distribution: fetches a bundle URL and its detached signature, has the wasm verify and
// load them (pinned keys, rollback and expiry refused there), and otherwise keeps the last good
// bundle. ETag / If-None-Match, a refresh interval with jitter, one fetch in flight at a time,
// onUpdate / onError hooks, and a storage hook so a short-lived isolate starts from a cached copy.

import { TesseraError } from './errors.js';

const DEFAULTS = { refreshInterval: 60, jitter: 0.1, timeout: 10 };

function loaderError(kind, message, cause) {
  return new TesseraError(kind, message, cause === undefined ? undefined : { cause });
}

export class BundleLoader {
  #tessera;
  #url;
  #signatureUrl;
  #fetch;
  #refreshInterval;
  #jitter;
  #timeout;
  #storage;
  #storageKey;
  #onUpdate;
  #onError;
  #clock;
  #inflight = null;
  /** When the last refresh began (seconds): past expiry, refreshes are at least 1 s apart. */
  #lastRefreshAt = -Infinity;
  #nextRefreshAt = 0;
  #timer = null;
  #started = false;
  #readyPromise = null;
  #lastError = null;
  // First loads that failed in a row, and when the next may be tried (seconds since epoch).
  #firstLoadFailures = 0;
  #retryAt = 0;

  /**
   * @param {import('./engine.js').Tessera} tessera the engine to load into.
   * @param {object} options see types/index.d.ts (LoaderOptions).
   */
  constructor(tessera, options) {
    if (!options?.url) throw new TypeError('tessera: the loader needs a bundle url');
    this.#tessera = tessera;
    this.#url = String(options.url);
    this.#signatureUrl = String(options.signatureUrl ?? `${this.#url}.sig`);
    this.#fetch = options.fetch ?? ((...args) => globalThis.fetch(...args));
    this.#refreshInterval = options.refreshInterval ?? DEFAULTS.refreshInterval;
    if (typeof this.#refreshInterval !== 'number' || !(this.#refreshInterval > 0) || this.#refreshInterval > 2_000_000) {
      throw new TypeError(`tessera: refreshInterval: ${String(options.refreshInterval)} is not a number of seconds above 0 and at most 2,000,000`);
    }
    this.#jitter = Math.min(Math.max(options.jitter ?? DEFAULTS.jitter, 0), 1);
    this.#timeout = options.fetchTimeout ?? DEFAULTS.timeout;
    if (typeof this.#timeout !== 'number' || !(this.#timeout > 0) || this.#timeout > 2_000_000) {
      throw new TypeError(`tessera: fetchTimeout: ${String(options.fetchTimeout)} is not a number of seconds above 0 and at most 2,000,000`);
    }
    this.#storage = options.storage ?? null;
    this.#storageKey = options.storageKey ?? this.#url;
    this.#onUpdate = options.onUpdate ?? (() => {});
    this.#onError = options.onError ?? (() => {});
    this.#clock = options.clock ?? (() => Date.now() / 1000);
  }

  /** The last error (fetch or bundle), or null after a success. */
  get lastError() {
    return this.#lastError;
  }

  /** When the next refresh is due (seconds since the epoch). */
  get nextRefreshAt() {
    return this.#nextRefreshAt;
  }

  /**
   * Resolves with the revision once a bundle is held: from storage first (a short-lived
   * isolate), from the network otherwise. Rejects (TesseraError) when neither gives one; the
   * engine then fails closed (503 `bundle-missing`). After a failed first load the next is
   * tried no sooner than 1 s later, then 2, 4, ... up to the refresh interval; until then
   * `ready()` rejects at once with the last error, so that requests arriving while the
   * bundle server is down neither wait for a fetch each nor hammer it.
   */
  ready() {
    if (this.#tessera.loaded) return Promise.resolve(this.#tessera.revision);
    if (this.#readyPromise === null) {
      if (this.#firstLoadFailures > 0 && this.#clock() < this.#retryAt && this.#lastError !== null) {
        return Promise.reject(this.#lastError);
      }
      this.#readyPromise = this.#firstLoad()
        .then(
          (revision) => {
            this.#firstLoadFailures = 0;
            return revision;
          },
          (error) => {
            this.#firstLoadFailures += 1;
            const backoff = Math.min(this.#refreshInterval, 2 ** (this.#firstLoadFailures - 1));
            this.#retryAt = this.#clock() + backoff;
            throw error;
          },
        )
        .finally(() => {
          this.#readyPromise = null;
        });
    }
    return this.#readyPromise;
  }

  /**
   * Fetches now (one fetch in flight at a time: a second call while one runs gets the same
   * promise). Resolves with `{changed, revision, status}`; never rejects (errors go to
   * `onError` and `lastError`, and the bundle held stays).
   */
  refresh() {
    if (this.#inflight === null) {
      this.#lastRefreshAt = this.#clock();
      this.#inflight = this.#fetchAndLoad().finally(() => {
        this.#inflight = null;
        this.#schedule();
      });
    }
    return this.#inflight;
  }

  /**
   * Refreshes if due (the interval has passed, or the bundle held has expired: then at most
   * once a second, so that requests denied past expiry do not each start a fetch) and returns
   * the promise, or `null` when nothing is due. For runtimes without long-lived timers: call it
   * per request and hand the promise to `ctx.waitUntil`.
   */
  maybeRefresh() {
    if (this.#inflight !== null) return this.#inflight;
    const now = this.#clock();
    const expires = this.#tessera.expiresAt;
    const expired = expires !== undefined && now >= expires && now >= this.#lastRefreshAt + 1;
    if (now >= this.#nextRefreshAt || expired) return this.refresh();
    return null;
  }

  /** Refreshes on a timer (interval with jitter) until `stop()`. */
  start() {
    this.#started = true;
    this.#schedule();
    return this;
  }

  /** Stops the timer. */
  stop() {
    this.#started = false;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  // --- internals ----------------------------------------------------------------------------

  #delay() {
    const spread = this.#refreshInterval * this.#jitter;
    return Math.max(0, this.#refreshInterval - spread + Math.random() * 2 * spread);
  }

  /** The next refresh in `seconds` (by default the interval, with jitter). */
  #schedule(seconds = this.#delay()) {
    this.#nextRefreshAt = this.#clock() + seconds;
    if (!this.#started) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    const ms = Math.max(0, (this.#nextRefreshAt - this.#clock()) * 1000);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.refresh();
    }, ms);
    if (typeof this.#timer === 'object' && typeof this.#timer?.unref === 'function') this.#timer.unref();
  }

  #report(error) {
    this.#lastError = error;
    try {
      this.#onError(error);
    } catch {
      // A hook must not break the loader.
    }
  }

  #updated(info) {
    this.#lastError = null;
    try {
      this.#onUpdate(info);
    } catch {
      // ignored
    }
  }

  async #firstLoad() {
    if (this.#storage !== null) {
      let stored = null;
      try {
        stored = await this.#storage.get(this.#storageKey);
      } catch (error) {
        this.#report(loaderError('storage', `tessera: storage.get failed: ${error?.message ?? error}`, error));
      }
      if (stored && typeof stored.bundle === 'string') {
        try {
          const revision = this.#tessera.load(stored.bundle, stored.signature, { etag: stored.etag });
          this.#updated({ revision, previousRevision: undefined, source: 'storage', etag: stored.etag });
          // Fresh enough: serve it and refresh when due; stale: refresh now (in the background).
          const age = this.#clock() - (Number(stored.fetchedAt) || 0);
          if (age >= this.#refreshInterval) this.refresh();
          else this.#schedule(this.#refreshInterval - age);
          return revision;
        } catch (error) {
          this.#report(loaderError('bundle', `tessera: the stored bundle was refused: ${error?.message ?? error}`, error));
        }
      }
    }
    await this.refresh();
    if (!this.#tessera.loaded) {
      throw this.#lastError ?? loaderError('bundle', 'tessera: no bundle could be loaded');
    }
    return this.#tessera.revision;
  }

  // A GET and the reading of its answer (`read(response)`), both within the timeout: past it the
  // request is aborted, and abandoned even if the fetch or the body ignores the abort, so that a
  // stalled server never holds a refresh (and every later one) forever.
  async #get(url, headers, read) {
    const controller = typeof AbortController === 'function' ? new AbortController() : null;
    let timer = null;
    const timeout = new Promise((resolve, reject) => {
      timer = setTimeout(() => {
        controller?.abort();
        reject(loaderError('fetch', `tessera: GET ${url}: no complete answer within ${this.#timeout} s`));
      }, this.#timeout * 1000);
    });
    const exchange = (async () => read(await this.#fetch(url, { headers, ...(controller ? { signal: controller.signal } : {}) })))();
    // The losing side's rejection is handled: a late failure is no unhandled rejection.
    exchange.catch(() => {});
    try {
      return await Promise.race([exchange, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #fetchAndLoad() {
    const previous = this.#tessera.revision;
    const held = this.#tessera.snapshot();
    let bundleText;
    let signature;
    let etag;
    try {
      const headers = {};
      if (held?.etag) headers['if-none-match'] = held.etag;
      const answer = await this.#get(this.#url, headers, async (response) => {
        if (response.status === 304 && held) {
          await response.body?.cancel?.();
          return null;
        }
        if (!response.ok) throw loaderError('fetch', `tessera: GET ${this.#url}: HTTP ${response.status}`);
        return { text: await response.text(), etag: response.headers.get('etag') ?? undefined };
      });
      if (answer === null) {
        await this.#store(held);
        return { changed: false, revision: previous, status: 304 };
      }
      ({ text: bundleText, etag } = answer);
      signature = await this.#get(this.#signatureUrl, {}, async (response) => {
        if (!response.ok) throw loaderError('fetch', `tessera: GET ${this.#signatureUrl}: HTTP ${response.status}`);
        return (await response.text()).trim();
      });
    } catch (error) {
      const e = error?.kind ? error : loaderError('fetch', `tessera: fetching the bundle failed: ${error?.message ?? error}`, error);
      this.#report(e);
      return { changed: false, revision: previous, error: e };
    }
    let revision;
    try {
      revision = this.#tessera.load(bundleText, signature, { etag });
    } catch (error) {
      const e = loaderError('bundle', `tessera: the fetched bundle was refused (keeping revision ${previous ?? 'none'}): ${error?.message ?? error}`, error);
      this.#report(e);
      return { changed: false, revision: previous, error: e };
    }
    await this.#store({ bundle: bundleText, signature, etag });
    this.#updated({ revision, previousRevision: previous, source: 'network', etag });
    return { changed: true, revision, status: 200 };
  }

  async #store(snapshot) {
    if (this.#storage === null) return;
    try {
      // Storage keeps text: a bundle held as bytes (load() given bytes) is valid UTF-8, checked
      // when it loaded, so its text encodes back to the same bytes, which the signature covers.
      const bundle = typeof snapshot.bundle === 'string' ? snapshot.bundle : new TextDecoder().decode(snapshot.bundle);
      await this.#storage.set(this.#storageKey, { bundle, signature: snapshot.signature, etag: snapshot.etag, fetchedAt: this.#clock() });
    } catch (error) {
      this.#report(loaderError('storage', `tessera: storage.set failed: ${error?.message ?? error}`, error));
    }
  }
}

/** A storage hook in memory (tests; one process). */
export function memoryStorage() {
  const map = new Map();
  return {
    async get(key) {
      return map.get(key) ?? null;
    },
    async set(key, value) {
      map.set(key, { ...value });
    },
  };
}

/**
 * A storage hook on the Cache API (Cloudflare Workers' `caches.default`, or `await
 * caches.open(name)`): the last good bundle is kept as a JSON response under a synthetic URL,
 * so a fresh isolate starts from it instead of the network. It is re-verified when loaded.
 */
export function cacheApiStorage(cache, { ttl = 86400 } = {}) {
  const keyUrl = (key) => `https://tessera.invalid/bundle-cache/${encodeURIComponent(key)}`;
  return {
    async get(key) {
      const response = await cache.match(keyUrl(key));
      return response ? response.json() : null;
    },
    async set(key, value) {
      await cache.put(keyUrl(key), new Response(JSON.stringify(value), {
        headers: { 'content-type': 'application/json', 'cache-control': `max-age=${ttl}` },
      }));
    },
  };
}
