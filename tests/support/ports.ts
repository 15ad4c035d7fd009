import { createSocket } from 'node:dgram';

/** A UDP port that was free a moment ago (bound to 0 and released), for peers like SIPp that need a number. */
export const freeUdpPort = async (): Promise<number> => {
  const probe = createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
  const port = probe.address().port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
};
