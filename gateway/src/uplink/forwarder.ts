import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import type { Clock, Logger } from '@vigil/core';
import { defaultUpstreamClientId, type UpstreamOptions } from '../config.js';
import type { GatewayMetrics } from '../metrics.js';
import type { Outbox } from './outbox.js';

const WINDOW = 100;
const AGE_EVERY_MS = 5_000;

/**
 * Drains the outbox to the upstream broker over one MQTT connection, QoS 1, at most `WINDOW` messages in
 * flight. MQTT keeps QoS 1 messages of one connection in order [MQTT-4.6.0-2], so upstream sees each
 * device's messages in acceptance order; after a broken connection everything unacknowledged is sent again
 * from the oldest, so duplicates are possible (removable by device, ts, seq) and losses are not. Each
 * connection is a fresh client with its own generation, so callbacks of a dead connection change nothing.
 */
export class Forwarder {
  readonly #outbox: Outbox;
  readonly #options: UpstreamOptions;
  readonly #log: Logger;
  readonly #metrics: GatewayMetrics;
  readonly #clock: Clock;
  readonly #retryMs: number;
  readonly #ca: Buffer | undefined;
  #client: MqttClient | null = null;
  #generation = 0;
  #cursor: string | null = null;
  #inFlight: Array<{ key: string; acked: boolean }> = [];
  #pumping = false;
  #wanted = false;
  #closed = false;
  #retryTimer: NodeJS.Timeout | null = null;
  readonly #ageTimer: NodeJS.Timeout;

  constructor(outbox: Outbox, options: UpstreamOptions, deps: { log: Logger; metrics: GatewayMetrics; clock: Clock }) {
    this.#outbox = outbox;
    this.#options = options;
    this.#retryMs = options.reconnectMs ?? 2000;
    // Read once at start-up: a missing CA file fails the gateway's start rather than every reconnect.
    this.#ca = options.caFile ? readFileSync(options.caFile) : undefined;
    this.#log = deps.log.child({ module: 'uplink' });
    this.#metrics = deps.metrics;
    this.#clock = deps.clock;
    this.#ageTimer = setInterval(
      () => void this.#outbox.measureAge(this.#clock.now()).catch(() => undefined),
      AGE_EVERY_MS,
    );
    this.#ageTimer.unref();
    this.#connect();
  }

  /** New entries are on disk: send them if the window allows. */
  notify(): void {
    void this.#pump();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#ageTimer);
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = null;
    if (client) await client.endAsync(true).catch(() => undefined);
    this.#metrics.upstreamConnected.set(0);
  }

  #connect(): void {
    if (this.#closed) return;
    const generation = ++this.#generation;
    const client = mqtt.connect(this.#options.url, {
      clientId: this.#options.clientId ?? defaultUpstreamClientId(),
      ...(this.#options.username ? { username: this.#options.username } : {}),
      ...(this.#options.password ? { password: this.#options.password } : {}),
      ...(this.#ca ? { ca: this.#ca, rejectUnauthorized: true } : {}),
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    this.#client = client;
    client.on('connect', () => {
      this.#log.info({ url: this.#options.url }, 'uplink connected');
      this.#metrics.upstreamConnected.set(1);
      this.#cursor = null;
      this.#inFlight = [];
      void this.#pump();
    });
    client.on('error', (err) => this.#log.warn({ err: err.message }, 'uplink error'));
    client.on('close', () => {
      if (generation !== this.#generation) return;
      this.#metrics.upstreamConnected.set(0);
      this.#client = null;
      this.#inFlight = [];
      client.end(true);
      if (this.#closed) return;
      this.#log.warn(
        { retryMs: this.#retryMs, queued: this.#outbox.depth },
        'uplink down; messages stay in the outbox',
      );
      this.#retryTimer = setTimeout(() => this.#connect(), this.#retryMs);
    });
  }

  async #pump(): Promise<void> {
    this.#wanted = true;
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#wanted && this.#client?.connected && this.#inFlight.length < WINDOW) {
        this.#wanted = false;
        const client = this.#client;
        const generation = this.#generation;
        const entries = await this.#outbox.read(this.#cursor, WINDOW - this.#inFlight.length);
        if (generation !== this.#generation || !client.connected) break;
        for (const [key, message] of entries) {
          const slot = { key, acked: false };
          this.#inFlight.push(slot);
          this.#cursor = key;
          client.publish(
            message.topic,
            Buffer.from(message.payload, 'base64'),
            { qos: 1, retain: message.retain },
            (err) => {
              if (err || generation !== this.#generation) return;
              slot.acked = true;
              this.#metrics.forwardLatency.observe(Math.max(0, this.#clock.now() - message.at) / 1000);
              void this.#settle();
            },
          );
        }
        if (entries.length) this.#wanted = true;
      }
    } catch (err) {
      this.#log.error({ err }, 'uplink outbox read failed');
    } finally {
      this.#pumping = false;
    }
  }

  /** Deletes the acknowledged prefix of the window (never past an unacknowledged one), then refills it. */
  async #settle(): Promise<void> {
    let n = 0;
    while (n < this.#inFlight.length && this.#inFlight[n]!.acked) n++;
    if (!n) return;
    const done = this.#inFlight.splice(0, n).map((slot) => slot.key);
    await this.#outbox.remove(done).catch((err: unknown) => this.#log.error({ err }, 'uplink outbox delete failed'));
    void this.#pump();
  }
}
