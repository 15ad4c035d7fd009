import { connect, createServer } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import { transportError } from '../../domain/transport/transport-error.js';
import { StreamSipTransport, type StreamListenOptions, type StreamSockets } from './stream-sip-transport.js';

export type TcpListenOptions = StreamListenOptions;

/** SIP over TCP (node:net): a stream transport whose connections are ready as soon as they exist. */
export type TcpSipTransport = StreamSipTransport;

const plainSockets: StreamSockets = {
  protocol: 'tcp',
  createServer: (events) => {
    const server = createServer({ noDelay: true });
    server.on('connection', (socket) => {
      events.raw(socket);
      if (!socket.destroyed) events.ready(socket, socket);
    });
    return server;
  },
  connect: (target, timeoutMs) => new Promise((resolve) => {
    const socket = connect({ host: target.host, port: target.port, noDelay: true });
    const timer = setTimeout(() => socket.destroy(new Error('connect timeout')), timeoutMs);
    socket.once('error', (error) => {
      clearTimeout(timer);
      resolve(E.left(transportError('ConnectFailed', `${target.host}:${target.port}: ${error.message}`)));
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(E.right(socket));
    });
  }),
};

export const TcpSipTransport = {
  listen: (options: TcpListenOptions): ReturnType<typeof StreamSipTransport.listen> =>
    StreamSipTransport.listen(options, plainSockets),
};
