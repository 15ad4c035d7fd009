/**
 * Randomness as a port. The core derives every branch, tag, Call-ID, SSRC and
 * initial RTP sequence number from this source (see application/id-generator.ts),
 * so a seeded source replays a whole simulation.
 */
export interface Random {
  /** A uniformly distributed integer in [0, 2^32). */
  nextUint32(): number;
}
