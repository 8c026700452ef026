// aedes-persistence's in-memory store, imported by file because its package entry point wraps it in the
// callback API. Its bundled types name aedes' packet types, which this gateway's store widens; so only the
// members the gateway uses are declared here, loosely typed as aedes itself takes its persistence (`any`).
declare module 'aedes-persistence/asyncPersistence.js' {
  import type { Readable } from 'node:stream';

  /* eslint-disable @typescript-eslint/no-explicit-any */
  export default class MemoryPersistence {
    setup(broker: any): Promise<void>;
    storeRetained(packet: any): Promise<void>;
    addSubscriptions(client: any, subs: any[]): Promise<void>;
    removeSubscriptions(client: any, topics: string[]): Promise<void>;
    subscriptionsByClient(client: any): Promise<Array<{ topic: string; qos: number }>>;
    cleanSubscriptions(client: any): Promise<void>;
    outgoingEnqueue(sub: any, packet: any): Promise<void>;
    outgoingEnqueueCombi(subs: any[], packet: any): Promise<void>;
    outgoingUpdate(client: any, packet: any): Promise<void>;
    outgoingClearMessageId(client: any, packet: any): Promise<any>;
    outgoingStream(client: any): Readable;
    incomingStorePacket(client: any, packet: any): Promise<void>;
    incomingGetPacket(client: any, packet: any): Promise<any>;
    incomingDelPacket(client: any, packet: any): Promise<void>;
    cleanIncoming(client: any): Promise<void>;
    putWill(client: any, packet: any): Promise<void>;
    getWill(client: any): Promise<any>;
    delWill(client: any): Promise<any>;
    streamWill(brokers?: any): Readable;
    subscriptionsByTopic(topic: string): Promise<any[]>;
    createRetainedStream(pattern: string): Readable;
  }
}
