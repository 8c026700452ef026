// Source entry of the CLI for development and tests (`npm run vigil -- …`); bin/vigil.js runs the build.
import { main } from './main.js';

await main(process.argv);
