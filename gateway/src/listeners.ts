import { readFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '@vigil/core';
import type { GatewayLimits, TlsListenerOptions } from './config.js';
import { GatewayListenFailed, GatewayTlsInvalid } from './errors.js';
import { coalesceWrites } from './limits/coalesce-writes.js';
import { guardPacketSize } from './limits/packet-guard.js';
import type { GatewayMetrics } from './metrics.js';

/** One listening socket of the gateway (plain TCP or TLS), with the URL clients use. */
export interface Listener {
  url: string;
  port: number;
  server: net.Server;
}

export interface ListenContext {
  limits: GatewayLimits;
  metrics: GatewayMetrics;
  log: Logger;
  /** Every open client socket, so close() can end them. */
  sockets: Set<net.Socket>;
  /** Hands an accepted (for TLS: handshaken) socket to aedes. */
  handle(socket: net.Socket): void;
}

/** Server options of the TLS listener from its PEM files: TLS 1.2 or newer, client certificates if a CA is set. */
export async function tlsServerOptions(options: TlsListenerOptions): Promise<tls.TlsOptions> {
  const read = (file: string) =>
    readFile(file).catch((err: unknown) => {
      throw GatewayTlsInvalid(`cannot read TLS file ${file}`, err);
    });
  const [cert, key, ca] = await Promise.all([
    read(options.certFile),
    read(options.keyFile),
    options.caFile ? read(options.caFile) : undefined,
  ]);
  const secure: tls.TlsOptions = {
    cert,
    key,
    // TLS 1.0 and 1.1 are deprecated (RFC 8996).
    minVersion: 'TLSv1.2',
    ...(ca ? { ca, requestCert: true, rejectUnauthorized: options.requireClientCert ?? false } : {}),
  };
  try {
    tls.createSecureContext(secure);
  } catch (err) {
    throw GatewayTlsInvalid(`TLS certificate ${options.certFile} or key ${options.keyFile} is not usable`, err);
  }
  return secure;
}

/** Opens a listener; every socket gets the same packet guard, connection limit and hooks, whatever its transport. */
export async function listen(
  ctx: ListenContext,
  host: string,
  port: number,
  secure?: tls.TlsOptions,
): Promise<Listener> {
  const accept = (socket: net.Socket) => {
    ctx.sockets.add(socket);
    socket.once('close', () => ctx.sockets.delete(socket));
    const guarded = guardPacketSize(socket, ctx.limits.maxPacketBytes, (size) => {
      ctx.metrics.refusals.inc({ reason: 'packet_too_large' });
      ctx.log.warn({ remote: socket.remoteAddress, size }, 'refused oversize packet');
    });
    ctx.handle(coalesceWrites(guarded));
  };
  // No Nagle: alerts are small packets whose latency matters more than the few bytes batching would save
  // (with delayed ACKs, Nagle adds ~40 ms to a publish that follows another one).
  // A TLS handshake gets the time a CONNECT gets, so a slow one holds a socket no longer than a silent one.
  const server = secure
    ? tls.createServer({ ...secure, noDelay: true, handshakeTimeout: ctx.limits.connectTimeoutMs }, accept)
    : net.createServer({ noDelay: true }, accept);
  if (secure)
    server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
      ctx.metrics.refusals.inc({ reason: 'tls_handshake_failed' });
      ctx.log.warn({ err, remote: socket.remoteAddress }, 'TLS handshake refused');
    });
  server.maxConnections = ctx.limits.maxConnections;
  server.on('drop', () => ctx.metrics.refusals.inc({ reason: 'too_many_connections' }));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (err) {
    throw GatewayListenFailed(`cannot listen on ${host}:${port}`, err);
  }
  const bound = (server.address() as net.AddressInfo).port;
  return { url: `${secure ? 'mqtts' : 'mqtt'}://${host}:${bound}`, port: bound, server };
}
