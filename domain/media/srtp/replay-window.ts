/**
 * The receiver's replay list (RFC 3711 §3.3.2): the highest index seen and a
 * 64-packet bitmap below it, kept as two 32-bit words so each check is a few
 * integer operations. Bit k set means index (highest − k) was accepted.
 */
export interface ReplayWindow {
  readonly highest: number;
  readonly high: number;
  readonly low: number;
}

export const WINDOW_SIZE = 64;

/** A window whose first accepted index is `index`. */
export const startWindow = (index: number): ReplayWindow => ({ highest: index, high: 0, low: 1 });

/** Whether `index` may be accepted: newer than the highest, or within the window and not seen. */
export const fresh = (window: ReplayWindow, index: number): boolean => {
  const behind = window.highest - index;
  if (behind < 0) return true;
  if (behind >= WINDOW_SIZE) return false;
  const bit = behind < 32 ? (window.low >>> behind) & 1 : (window.high >>> (behind - 32)) & 1;
  return bit === 0;
};

/** The window after accepting `index` (which `fresh` allowed). */
export const accept = (window: ReplayWindow, index: number): ReplayWindow => {
  const ahead = index - window.highest;
  if (ahead > 0) {
    const [high, low] = shiftLeft(window.high, window.low, ahead);
    return { highest: index, high, low: (low | 1) >>> 0 };
  }
  const behind = -ahead;
  return behind < 32
    ? { highest: window.highest, high: window.high, low: (window.low | (1 << behind)) >>> 0 }
    : { highest: window.highest, high: (window.high | (1 << (behind - 32))) >>> 0, low: window.low };
};

const shiftLeft = (high: number, low: number, n: number): readonly [number, number] => {
  if (n >= 64) return [0, 0];
  if (n >= 32) return [(low << (n - 32)) >>> 0, 0];
  return [((high << n) | (low >>> (32 - n))) >>> 0, (low << n) >>> 0];
};
