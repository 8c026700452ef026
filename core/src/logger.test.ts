import { execFile } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createLogger, logFormat } from './logger.js';

/** A destination that collects what is written, and says whether it is a terminal. */
function capture(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({ write: (chunk: Buffer, _encoding, done) => (chunks.push(chunk.toString()), done()) }),
    { isTTY },
  );
  return { stream, text: () => chunks.join('') };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('createLogger', () => {
  it('writes readable lines to a terminal and JSON elsewhere', async () => {
    const terminal = capture(true);
    const pretty = createLogger({ name: 'svc', destination: terminal.stream, env: {} });
    pretty.child({ module: 'simulator' }).info({ deviceId: 'wb-1' }, 'fleet started');
    const pipe = capture(false);
    createLogger({ name: 'svc', destination: pipe.stream, env: {} }).info({ deviceId: 'wb-1' }, 'fleet started');
    await flush();

    expect(terminal.text()).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: simulator: fleet started \{"deviceId":"wb-1"\}\n$/,
    );
    expect(() => JSON.parse(terminal.text())).toThrow();
    expect(JSON.parse(pipe.text())).toMatchObject({ level: 30, svc: 'svc', deviceId: 'wb-1', msg: 'fleet started' });
  });

  it('redacts secrets in both formats', async () => {
    for (const isTTY of [true, false]) {
      const out = capture(isTTY);
      createLogger({ destination: out.stream, env: {} }).warn({ device: { secret: 's3cret' } }, 'rotated');
      await flush();
      expect(out.text()).toContain('[redacted]');
      expect(out.text()).not.toContain('s3cret');
    }
  });

  it('VIGIL_LOG_FORMAT overrides the terminal check and is validated', () => {
    expect(logFormat(capture(true).stream, { VIGIL_LOG_FORMAT: 'json' })).toBe('json');
    expect(logFormat(capture(false).stream, { VIGIL_LOG_FORMAT: 'pretty' })).toBe('pretty');
    expect(logFormat(capture(false).stream, {})).toBe('json');
    expect(() => logFormat(1, { VIGIL_LOG_FORMAT: 'xml' })).toThrow(/VIGIL_LOG_FORMAT/);
  });

  it('has every line out before the process exits, even with the thread pool busy', async () => {
    // Each thread-pool thread busy hashing: an asynchronous write queued behind them is lost by process.exit.
    const script = `
      import { pbkdf2 } from 'node:crypto';
      import { createLogger } from ${JSON.stringify(fileURLToPath(new URL('./logger.ts', import.meta.url)))};
      const log = createLogger({ name: 'exiting' });
      for (let i = 0; i < 4; i++) pbkdf2('p', 's', 200000, 64, 'sha512', () => {});
      log.info('first');
      log.info('last');
      process.exit(0);`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      { env: { ...process.env, UV_THREADPOOL_SIZE: '4', VIGIL_LOG_FORMAT: 'json', VIGIL_LOG_LEVEL: 'info' } },
    );
    expect(
      stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).msg),
    ).toEqual(['first', 'last']);
  });
});
