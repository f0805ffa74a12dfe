// Types of `tessera/slim`: the API without loading the .wasm; call initSync or init first.
export * from './index.js';
export declare function initSync(module: { module: BufferSource | WebAssembly.Module } | BufferSource | WebAssembly.Module): unknown;
export declare function init(moduleOrPath?: { module_or_path: RequestInfo | URL | Response | BufferSource | WebAssembly.Module }): Promise<unknown>;
