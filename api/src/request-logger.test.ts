import { Writable } from 'node:stream';
import { createLogger } from '@vigil/core';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import { describe, expect, it, vi } from 'vitest';
import { requestLogger } from './request-logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger({ destination: stream, env: {} }).child({ module: 'http' }) };
}

describe('requestLogger', () => {
  it('makes the pino child only when something logs, with the request id and the parent bindings', () => {
    const { lines, log } = capture();
    const child = vi.spyOn(log, 'child');
    const request = requestLogger.call(undefined as never, log, { reqId: 'req-1' }, {}, undefined as never);
    expect(request.level).toBe('info');
    expect(child).not.toHaveBeenCalled();
    request.info({ route: '/x' }, 'first');
    request.warn('second %s', 'formatted');
    request.debug('below the level');
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines).toMatchObject([
      { level: 30, module: 'http', reqId: 'req-1', route: '/x', msg: 'first' },
      { level: 40, module: 'http', reqId: 'req-1', msg: 'second formatted' },
    ]);
  });

  it("serves fastify's requests: the route's log level, the request id on what is logged", async () => {
    const { lines, log } = capture();
    const app = Fastify({
      loggerInstance: log as FastifyBaseLogger,
      logController: new LogController({ disableRequestLogging: true }),
      childLoggerFactory: requestLogger,
    });
    app.get('/quiet', { logLevel: 'error' }, async (request) => ({ level: request.log.level }));
    app.get('/loud', async (request) => {
      request.log.warn('from the route');
      return { level: request.log.level };
    });
    try {
      expect((await app.inject('/quiet')).json()).toEqual({ level: 'error' });
      expect((await app.inject('/loud')).json()).toEqual({ level: 'info' });
      expect(lines).toEqual([expect.objectContaining({ msg: 'from the route', reqId: expect.any(String) })]);
    } finally {
      await app.close();
    }
  });
});
