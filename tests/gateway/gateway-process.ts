// A gateway in its own process, so a test can kill -9 it. Env: DATABASE_URL, VIGIL_GATEWAY_DATA_DIR,
// VIGIL_MQTT_PORT (0 = free). Prints `READY <port>` once listening.
import { configFromEnv, start } from '@vigil/gateway';

const handle = await start(configFromEnv());
process.stdout.write(`READY ${handle.port}\n`);
process.on('SIGTERM', () => void handle.close().then(() => process.exit(0)));
