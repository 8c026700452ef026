#!/usr/bin/env -S node --min-semi-space-size=16
// Entry point of the `vigil` CLI: runs the compiled CLI (`npm run build` first; `npm start` does it).
// A young generation of 16 MB from the start (V8's own maximum for it), not one that grows from 1 MB: left to
// size itself, it sometimes stayed small for the process's life, and the api then spent a third of its time in
// the garbage collector and took twice the CPU a request (docs/api.md "Benchmark"). `node bin/vigil.js` and the
// container pass the flag themselves (package.json, Dockerfile): node refuses it in NODE_OPTIONS.
import { main } from '../cli/dist/main.js';

await main(process.argv);
