import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@vigil/core';
import { BatchWriter } from './batch-writer.js';
import { Journal } from './journal.js';
import type { StoredMessage } from './stored-message.js';

const message = (n: number): StoredMessage => ({
  topic: `vigil/v1/f/d/reading`,
  payload: Buffer.from(`{"seq":${n}}`).toString('base64'),
  qos: 1,
  retain: false,
  at: n,
});

describe('journal', () => {
  let dir: string;
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('replays, in order, exactly the entries a crash left unsettled, and numbering continues after reopening', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-journal-'));
    let db = new ClassicLevel<string, string>(dir);
    let writer = new BatchWriter(db);
    let journal = await Journal.open(db, writer, silentLogger());
    const keys = await Promise.all([1, 2, 3, 4].map((n) => journal.record(message(n))));
    journal.settle(keys[1]!);
    await writer.drain();
    await db.close(); // as after kill -9: entries 1, 3, 4 were never settled

    db = new ClassicLevel<string, string>(dir);
    writer = new BatchWriter(db);
    journal = await Journal.open(db, writer, silentLogger());
    const replayed: number[] = [];
    expect(await journal.replay(async (m) => void replayed.push(m.at))).toBe(3);
    expect(replayed).toEqual([1, 3, 4]);
    expect(await journal.record(message(5))).toBe(`vigil-journal:${String(5).padStart(16, '0')}`);
    expect(await journal.replay(async () => undefined)).toBe(1);
    await db.close();
  });
});
