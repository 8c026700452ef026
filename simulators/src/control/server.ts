import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, VigilError, type Logger } from '@vigil/core';
import { z } from 'zod';
import { SimControlInternal, SimControlRequest, SimControlUnauthorized, SimInvalidOptions } from '../errors.js';
import type { Fleet } from '../fleet.js';
import { pickDevice } from '../pick-device.js';
import { removeControlFile, writeControlFile } from './file.js';
import { CONTROL_ROUTES, playRequestSchema } from './protocol.js';

export interface ControlServerOptions {
  fleet: Fleet;
  facility: string;
  /** The control file to write (controlFilePath()); removed again by close(). */
  file: string;
  logger?: Logger;
}

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4096;
const digest = (text: string) => createHash('sha256').update(text).digest();

async function readJson(req: IncomingMessage): Promise<unknown> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > MAX_BODY_BYTES) throw SimControlRequest(`body larger than ${MAX_BODY_BYTES} bytes`);
  }
  try {
    return JSON.parse(body);
  } catch (err) {
    throw SimControlRequest('the body is not JSON', err);
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * The control endpoint of a running fleet: `vigil simulate --scenario` asks it to play a scenario on one
 * of the fleet's own devices instead of connecting them a second time (which would take their sessions
 * over). Loopback only; the bearer token is in the control file, which only its owner can read.
 */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { fleet, facility } = options;
  const log = (options.logger ?? silentLogger()).child({ module: 'simulator-control' });
  const token = randomBytes(32).toString('base64url');
  const expected = digest(`Bearer ${token}`);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) {
      throw SimControlUnauthorized('missing or wrong bearer token (see the control file)');
    }
    if (req.method === 'GET' && req.url === CONTROL_ROUTES.fleet) {
      return reply(res, 200, { facility, devices: fleet.devices.length });
    }
    if (req.method !== 'POST' || req.url !== CONTROL_ROUTES.scenarios) {
      throw SimControlRequest(`no route ${req.method} ${req.url}`);
    }
    const parsed = playRequestSchema.safeParse(await readJson(req));
    if (!parsed.success) throw SimInvalidOptions(z.prettifyError(parsed.error));
    const { scenario, device: named, ...inject } = parsed.data;
    const device = pickDevice(fleet.devices, { facility, scenario, device: named, busy: fleet.playing });
    reply(res, 200, await fleet.inject(device.id, scenario, { ...inject, origin: 'control' }));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!(err instanceof VigilError)) log.error({ err }, 'control request failed');
      const { code, status, message } = err instanceof VigilError ? err : SimControlInternal('internal error');
      reply(res, status, { error: { code, message } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await writeControlFile(options.file, { url, token, pid: process.pid, facility });
  log.info({ url, file: options.file }, 'simulator control endpoint listening');

  return {
    url,
    async close() {
      await removeControlFile(options.file, token);
      const closed = new Promise((resolve) => server.close(resolve));
      // A scenario still playing for a client must not hold the shutdown.
      server.closeAllConnections();
      await closed;
    },
  };
}
