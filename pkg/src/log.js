// Decision logs: one small record per decision, queued on the hot path (an array push) and
// handed to the caller's sink in batches, later, off the decision's critical section. A record
// never carries the token: only the identity's user name and the request's method, host and
// path (no query string, no headers).

const DEFAULTS = { maxBatch: 100, flushInterval: 1000, maxQueue: 10000 };

function requestOf(request) {
  const out = { kind: request.kind };
  for (const [key, value] of Object.entries(request)) {
    if (key === 'kind' || value === undefined || value === null || value === '') continue;
    if (key === 'url') {
      // Keep scheme, host and path; drop the query and fragment (they may carry secrets).
      const cut = String(value).search(/[?#]/);
      out.url = cut < 0 ? String(value) : String(value).slice(0, cut);
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out[key] = value;
    }
  }
  return out;
}

export class DecisionLog {
  #sink;
  #maxBatch;
  #flushInterval;
  #maxQueue;
  #queue = [];
  #timer = null;
  #flushing = Promise.resolve();
  #onError;
  #dropped = 0;

  /**
   * @param {object} options `{sink(records), maxBatch?, flushInterval? (ms), maxQueue?, onError?}`
   */
  constructor(options) {
    const o = typeof options === 'function' ? { sink: options } : options ?? {};
    if (typeof o.sink !== 'function') throw new TypeError('tessera: decisionLog.sink must be a function receiving an array of records');
    this.#sink = o.sink;
    this.#maxBatch = o.maxBatch ?? DEFAULTS.maxBatch;
    this.#flushInterval = o.flushInterval ?? DEFAULTS.flushInterval;
    this.#maxQueue = o.maxQueue ?? DEFAULTS.maxQueue;
    this.#onError = o.onError ?? (() => {});
  }

  /** Records waiting for the sink. */
  get pending() {
    return this.#queue.length;
  }

  /** Records dropped because the queue was full (the sink too slow or failing). */
  get dropped() {
    return this.#dropped;
  }

  /** Queues the record of one decision (called by Tessera; cheap, never throws). */
  record(id, decision, request, revision) {
    try {
      if (this.#queue.length >= this.#maxQueue) {
        this.#dropped += 1;
        return;
      }
      this.#queue.push({
        decision_id: id,
        time: new Date().toISOString(),
        revision: decision.revision ?? revision ?? null,
        user: decision.identity?.username ?? null,
        request: requestOf(request),
        allowed: decision.allowed,
        status: decision.status,
        reasons: decision.reasons,
        ...(decision.route ? { route: decision.route } : {}),
      });
      if (this.#queue.length >= this.#maxBatch) this.#schedule(0);
      else this.#schedule(this.#flushInterval);
    } catch {
      // A log must never change a decision.
    }
  }

  /** Hands every queued record to the sink now; resolves when the sink has taken them. */
  flush() {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#flushing = this.#flushing.then(() => this.#drain());
    return this.#flushing;
  }

  #schedule(delay) {
    if (this.#timer !== null) {
      if (delay > 0) return;
      clearTimeout(this.#timer);
    }
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.flush();
    }, delay);
    // Node: a pending log flush must not keep the process alive.
    if (typeof this.#timer === 'object' && typeof this.#timer?.unref === 'function') this.#timer.unref();
  }

  async #drain() {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      try {
        await this.#sink(batch);
      } catch (error) {
        try {
          this.#onError(error, batch);
        } catch {
          // ignored: the log is best effort
        }
      }
    }
  }
}
