import { execFile } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Mosquitto } from '../gateway/mosquitto.js';
import { freePort } from '../helpers/processes.js';

const run = promisify(execFile);
const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A test CA and a server certificate for 127.0.0.1 signed by it, made with openssl in `dir`. */
async function makeCertificates(dir: string): Promise<void> {
  const at = (name: string) => path.join(dir, name);
  await run('openssl', [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.crt'),
    '-subj',
    '/CN=vigil-test-ca',
    '-days',
    '2',
  ]);
  await run('openssl', ['req', ...EC, '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=127.0.0.1']);
  await writeFile(at('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    at('server.csr'),
    '-CA',
    at('ca.crt'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-out',
    at('server.crt'),
    '-days',
    '2',
    '-extfile',
    at('san.ext'),
  ]);
  // mosquitto drops root for its own user, which must read the key.
  await chmod(at('server.key'), 0o644);
}

/**
 * The region broker of the hub tests: a real Mosquitto 2 with a TLS-only listener (test CA), password logins, and
 * an ACL in which each facility account (username = facility id) may publish only under `vigil/region/v1/<itself>/`
 * and only the hub account may read.
 */
export async function startRegionBroker(accounts: Record<string, string>, hubAccount: string) {
  const broker = await Mosquitto.create(async (dir) => {
    await makeCertificates(dir);
    const passwd = path.join(dir, 'passwd');
    await writeFile(passwd, '');
    for (const [user, password] of Object.entries(accounts))
      await run('mosquitto_passwd', ['-b', passwd, user, password]);
    await chmod(passwd, 0o644);
    await writeFile(
      path.join(dir, 'acl'),
      [`user ${hubAccount}`, 'topic read vigil/region/v1/#', '', 'pattern write vigil/region/v1/%u/#', ''].join('\n'),
    );
    return [
      `cafile ${dir}/ca.crt`,
      `certfile ${dir}/server.crt`,
      `keyfile ${dir}/server.key`,
      'allow_anonymous false',
      `password_file ${passwd}`,
      `acl_file ${dir}/acl`,
    ];
  });
  await broker.start();
  return Object.assign(broker, { caFile: path.join(broker.dir, 'ca.crt'), tlsUrl: `mqtts://127.0.0.1:${broker.port}` });
}

/** A TCP relay to the broker that the test can cut (every connection closed, nothing accepted) and restore. */
export class CuttableLink {
  readonly port: number;
  readonly #target: number;
  readonly #sockets = new Set<net.Socket>();
  #server: net.Server | null = null;

  private constructor(port: number, target: number) {
    this.port = port;
    this.#target = target;
  }

  static async open(target: number): Promise<CuttableLink> {
    const link = new CuttableLink(await freePort(), target);
    await link.restore();
    return link;
  }

  get url(): string {
    return `mqtts://127.0.0.1:${this.port}`;
  }

  async restore(): Promise<void> {
    const server = net.createServer((inbound) => {
      const outbound = net.connect(this.#target, '127.0.0.1');
      for (const s of [inbound, outbound]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => undefined);
      }
      inbound.pipe(outbound).pipe(inbound);
      inbound.on('close', () => outbound.destroy());
      outbound.on('close', () => inbound.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.#server = server;
  }

  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
