import type { TestProject } from 'vitest/node';
import { prepareTestDatabaseServer, type TestDatabaseServer } from './helpers/test-database-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabaseServer: TestDatabaseServer;
  }
}

/** Runs once per `vitest run`: one database server and one migrated template for every test file. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { stop, ...server } = await prepareTestDatabaseServer();
  project.provide('testDatabaseServer', server);
  return stop;
}
