// The library under test: the built dist/ (npm run build), or another build named by SIMPLE_RNN_DIST (a path to
// its index.js), so that a benchmark does not race a concurrent rebuild of dist/.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

export const lib = await import(process.env.SIMPLE_RNN_DIST ? pathToFileURL(resolve(process.env.SIMPLE_RNN_DIST)).href : '../dist/index.js');
