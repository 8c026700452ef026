#!/usr/bin/env node
// Entry point of the `vigil` CLI: runs the compiled CLI (`npm run build` first; `npm start` does it).
import { main } from '../cli/dist/main.js';

await main(process.argv);
