import type { Socket } from 'node:net';

/**
 * Sends what aedes writes to a socket in one turn of the event loop as one `writev`. mqtt-packet corks the
 * socket for each packet and uncorks it on the next tick, and aedes hands each delivery on in a macrotask of
 * its own (setImmediate), so a persistent subscriber receiving hundreds of messages a turn cost one system
 * call per message (and its reader one wake-up per message). Here the first cork of a turn takes one more
 * cork of its own, released by setImmediate, i.e. after the writes of the current turn: a packet waits at most
 * one turn of the loop. Backpressure is unchanged: a held write still counts against the socket's buffer, and
 * aedes waits for 'drain' when it is full.
 */
export function coalesceWrites(socket: Socket): Socket {
  const cork = socket.cork.bind(socket);
  let held = false;
  const release = () => {
    held = false;
    socket.uncork();
  };
  socket.cork = () => {
    if (!held) {
      held = true;
      cork();
      setImmediate(release);
    }
    cork();
  };
  return socket;
}
