import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/processes.js';

async function listening(port: number, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A real Mosquitto broker for a test, in the foreground with its own config, on a free port, with
 * on-disk persistence so that stop() + start() keeps its sessions (the upstream of the uplink tests).
 */
export class Mosquitto {
  readonly port: number;
  readonly dir: string;
  #child: ChildProcess | null = null;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.dir = dir;
  }

  /**
   * `listener` gives the lines that follow the listener line (default: anonymous access); it may write files
   * (certificates, password and ACL files) into the broker's directory first. `extra`: more mosquitto.conf lines
   * (per-client limits for the benchmark).
   */
  static async create(
    listener: (dir: string) => Promise<string[]> | string[] = () => ['allow_anonymous true'],
    extra: string[] = [],
  ): Promise<Mosquitto> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-mosq-'));
    // Started as root, mosquitto drops to its own user and must still be able to save its sessions here.
    await chmod(dir, 0o777);
    const port = await freePort();
    await writeFile(
      path.join(dir, 'mosquitto.conf'),
      [
        `listener ${port} 127.0.0.1`,
        ...(await listener(dir)),
        'persistence true',
        `persistence_location ${dir}/`,
        ...extra,
        '',
      ].join('\n'),
    );
    return new Mosquitto(port, dir);
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** The broker's process id while it runs (the benchmark reads its CPU from /proc). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async start(): Promise<void> {
    this.#child = spawn('mosquitto', ['-c', path.join(this.dir, 'mosquitto.conf')], { stdio: 'ignore' });
    await listening(this.port, Date.now() + 10_000);
  }

  /** SIGTERM: mosquitto writes its persistence file and exits. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
