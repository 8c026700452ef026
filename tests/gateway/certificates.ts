import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM files of a throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made by `openssl`. */
export interface TestCertificates {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  remove(): Promise<void>;
}

/** `openssl req -newkey` arguments: RSA 2048 (the tests), or ECDSA P-256 (cheaper handshakes: the benchmark). */
const NEW_KEY = {
  rsa: ['-newkey', 'rsa:2048'],
  ec: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'],
} as const;
export type KeyType = keyof typeof NEW_KEY;

async function signed(dir: string, key: KeyType, name: string, subject: string, extensions: string): Promise<void> {
  const file = (ext: string) => path.join(dir, `${name}.${ext}`);
  await writeFile(file('ext'), extensions);
  await run('openssl', [
    'req',
    ...NEW_KEY[key],
    '-nodes',
    '-keyout',
    file('key'),
    '-subj',
    subject,
    '-out',
    file('csr'),
  ]);
  await run('openssl', [
    ...['x509', '-req', '-in', file('csr'), '-days', '1', '-sha256'],
    ...['-CA', path.join(dir, 'ca.crt'), '-CAkey', path.join(dir, 'ca.key'), '-CAcreateserial'],
    ...['-extfile', file('ext'), '-out', file('crt')],
  ]);
}

/** Generates the certificates in a fresh temp dir (removed by `remove()`). */
export async function makeTestCertificates(key: KeyType = 'rsa'): Promise<TestCertificates> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-tls-'));
  const at = (file: string) => path.join(dir, file);
  await run('openssl', [
    ...['req', '-x509', ...NEW_KEY[key], '-nodes', '-days', '1', '-subj', '/CN=Vigil test CA'],
    ...['-keyout', at('ca.key'), '-out', at('ca.crt')],
  ]);
  await signed(dir, key, 'server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await signed(dir, key, 'client', '/CN=wb-1', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    ca: at('ca.crt'),
    serverCert: at('server.crt'),
    serverKey: at('server.key'),
    clientCert: at('client.crt'),
    clientKey: at('client.key'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
