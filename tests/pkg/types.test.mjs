// TypeScript: the package's declarations and a small typed usage file (ESM and CommonJS) pass
// `tsc --noEmit` (strict, nodenext), and the declared Engine has every method the wasm-bindgen
// output has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP, TOOLS, bin, run } from './helpers.mjs';

test('tsc --noEmit on the types and a typed usage file (ESM and CommonJS)', async () => {
  const { code, stdout, stderr } = await run(bin('tsc'), ['-p', join(APP, 'typed', 'tsconfig.json'), '--typeRoots', join(TOOLS, 'node_modules', '@types')], { cwd: APP });
  assert.equal(code, 0, `tsc:\n${stdout}${stderr}`);
});

test('the declared Engine matches the wasm-bindgen output', () => {
  const pkg = join(APP, 'node_modules', 'tessera');
  const generated = readFileSync(join(pkg, 'dist', 'wasm', 'tessera.js'), 'utf8');
  const declared = readFileSync(join(pkg, 'types', 'index.d.ts'), 'utf8');
  const engineClass = declared.slice(declared.indexOf('export declare class Engine'), declared.indexOf('}', declared.indexOf('export declare class Engine')));
  const names = new Set([...generated.matchAll(/^    (?:static )?(?:get )?([a-zA-Z]+)\(/gm)].map((m) => m[1]));
  names.delete('constructor');
  names.delete('__destroy_into_raw');
  names.delete('__wrap');
  assert.ok(names.has('checkRequest') && names.has('fromSigned'), [...names].join());
  for (const name of names) assert.match(engineClass, new RegExp(`\\b${name}\\b`), `Engine.${name} is declared`);
});

