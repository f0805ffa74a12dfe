// The one error class the package throws or rejects with: `kind` says which part failed
// ('bundle', 'fetch', 'storage', ...), `cause` carries the original error where there is one.

/** A bundle refused or a fetch that failed, with what went wrong (`kind`). */
export class TesseraError extends Error {
  constructor(kind, message, options) {
    super(message, options);
    this.name = 'TesseraError';
    this.kind = kind;
  }
}
