import WebSocket from 'ws';
import { streamServerMessageSchema, type StreamHello, type StreamServerMessage } from '@vigil/protocol';
import { waitFor } from './processes.js';

/** A WebSocket client of `/api/v1/stream` that validates and keeps every server message. */
export interface StreamClient {
  messages: StreamServerMessage[];
  /** Waits for the first message (after `from`) that matches. */
  next<T extends StreamServerMessage['type']>(
    type: T,
    match?: (m: Extract<StreamServerMessage, { type: T }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<StreamServerMessage, { type: T }>>;
  closed: Promise<{ code: number; reason: string }>;
  /** Sends a client message (e.g. a `receipt`) as JSON. */
  send(message: object): void;
  close(): void;
}

export async function connectStream(
  baseUrl: string,
  hello?: { token: string; since?: StreamHello['since'] },
): Promise<StreamClient> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/stream`);
  const messages: StreamServerMessage[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  socket.on('message', (data) => messages.push(streamServerMessageSchema.parse(JSON.parse(data.toString()))));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  if (hello) socket.send(JSON.stringify({ type: 'hello', ...hello }));
  return {
    messages,
    closed,
    next: (type, match = () => true, timeoutMs = 15_000) =>
      waitFor(
        `a stream "${type}" message`,
        () => messages.find((m) => m.type === type && match(m as never)),
        timeoutMs,
      ) as never,
    send: (message) => socket.send(JSON.stringify(message)),
    close: () => socket.close(),
  };
}
