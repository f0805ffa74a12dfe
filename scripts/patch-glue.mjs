// Speeds up how wasm-bindgen's JavaScript glue copies a string into the module.
//
//   node scripts/patch-glue.mjs FILE.js [FILE.js ...]
//
// The glue's passStringToWasm0 copies the ASCII prefix of every string with a JavaScript loop,
// one charCodeAt and one store per character, where TextEncoder.encodeInto (which the glue
// already uses for the rest of a string that is not ASCII) copies natively. Every call that
// takes a token pays it once per call, so this replaces the loop with one encodeInto over the
// same bytes. Same result: when the string is
// all ASCII, read and written are its length, exactly what the loop leaves; otherwise the copy
// starts again from offset 0 on the glue's own non-ASCII path, which encodes the whole string.
// Fails loudly when the loop is not found (another wasm-bindgen version): the version is pinned
// in Cargo.toml, so that means this script must be looked at again.
import { readFileSync, writeFileSync } from 'node:fs';

const LOOP = `    for (; offset < len; offset++) {
        const code = arg.charCodeAt(offset);
        if (code > 0x7F) break;
        mem[ptr + offset] = code;
    }`;

const FAST = `    {
        // Patched by tessera's scripts/patch-glue.mjs: one native copy instead of a loop.
        const done = cachedTextEncoder.encodeInto(arg, mem.subarray(ptr, ptr + len));
        if (done.read === len && done.written === len) offset = len;
    }`;

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node scripts/patch-glue.mjs FILE.js [FILE.js ...]');
  process.exit(2);
}
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  if (text.includes('Patched by tessera')) continue;
  const count = text.split(LOOP).length - 1;
  if (count !== 1) {
    console.error(`${file}: expected the ASCII copy loop of passStringToWasm0 once, found it ${count} times`);
    process.exit(1);
  }
  writeFileSync(file, text.replace(LOOP, FAST));
}
