// Vercel's edge-runtime: bundled with the edge-light condition into one script.
import * as tessera from 'tessera';
import data from './data.mjs';
import { runAll } from './scenario-run.mjs';

globalThis.__tesseraResult = JSON.stringify(runAll(tessera, data, 'edge-runtime'));
