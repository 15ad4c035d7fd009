/**
 * A MOS estimate by the ITU-T G.107 E-model, simplified for G.711 calls:
 *  - R0 − Is is taken as the default 93.2 (standard noise and loudness ratings);
 *  - Id (delay impairment) uses Cole & Rosenbluth's fit of G.107:
 *      Id = 0.024·d + 0.11·(d − 177.3)·H(d − 177.3), d = one-way mouth-to-ear delay in ms;
 *  - Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl/BurstR + Bpl) with Ie = 0 and Bpl = 25.1
 *    (G.113 Appendix I values for G.711 with packet-loss concealment), BurstR = 1 (random loss);
 *  - A = 0 (no advantage factor). Jitter enters as delay: a jitter buffer holds about twice
 *    the jitter, so d = network delay + 2·jitter + one 20 ms frame of packetization.
 * MOS = 1 + 0.035·R + R·(R − 60)·(100 − R)·7·10⁻⁶, clamped to [1, 4.5].
 */
export interface QualityInputs {
  readonly lossPercent: number;
  readonly jitterMs: number;
  /** One-way network delay (half the RTT when measured); 0 when unknown. */
  readonly oneWayDelayMs: number;
}

export const rFactor = ({ lossPercent, jitterMs, oneWayDelayMs }: QualityInputs): number => {
  const d = oneWayDelayMs + 2 * jitterMs + 20;
  const id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
  const ie = 0;
  const bpl = 25.1;
  const ppl = Math.max(0, Math.min(100, lossPercent));
  const ieEff = ie + ((95 - ie) * ppl) / (ppl + bpl);
  return Math.max(0, Math.min(100, 93.2 - id - ieEff));
};

export const mosFromR = (r: number): number => {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return Math.max(1, Math.min(4.5, 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6));
};

export const estimateMos = (inputs: QualityInputs): number => mosFromR(rFactor(inputs));
