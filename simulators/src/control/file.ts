import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { clusterPaths } from '@vigil/core';
import { controlFileSchema, type ControlFile } from './protocol.js';

/** `$VIGIL_DATA_DIR/simulator-control.json` (the local cluster's data folder, `.data` by default). */
export async function controlFilePath(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return join((await clusterPaths(env)).root, 'simulator-control.json');
}

/** Writes the file readable by its owner only (mode 0600): the token in it is the endpoint's only key. */
export async function writeControlFile(path: string, content: ControlFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.${process.pid}`;
  await writeFile(partial, JSON.stringify(content), { mode: 0o600 });
  await rename(partial, path);
}

/** The control file, or undefined when there is none (or it is not one). */
export async function readControlFile(path: string): Promise<ControlFile | undefined> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (text === undefined) return undefined;
  try {
    const parsed = controlFileSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the file if it is still this endpoint's (a later `vigil start` may have replaced it). */
export async function removeControlFile(path: string, token: string): Promise<void> {
  if ((await readControlFile(path))?.token === token) await rm(path, { force: true });
}
