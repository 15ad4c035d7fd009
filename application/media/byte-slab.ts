/**
 * Small typed arrays carved out of large shared buffers. A packet-sized
 * `new Uint8Array(172)` costs an off-heap ArrayBuffer allocation of its own;
 * a view of a 64 KiB slab costs only the view. Views are never handed out
 * twice: a full slab is simply let go, and the garbage collector frees it once
 * no view of it is alive (so a view kept for long keeps its slab alive).
 */
export class ByteSlab {
  private buffer: ArrayBuffer;
  private offset = 0;

  constructor(private readonly slabBytes = 64 * 1024) {
    this.buffer = new ArrayBuffer(slabBytes);
  }

  bytes(length: number): Uint8Array {
    if (length > SMALL_BYTES) return new Uint8Array(length);
    // Reserve first: it may switch to a new slab, and the view must be on that one.
    const at = this.reserve(length);
    return new Uint8Array(this.buffer, at, length);
  }

  int16(length: number): Int16Array {
    if (length * 2 > SMALL_BYTES) return new Int16Array(length);
    const at = this.reserve(length * 2);
    return new Int16Array(this.buffer, at, length);
  }

  private reserve(byteLength: number): number {
    if (this.offset + byteLength > this.slabBytes) {
      this.buffer = new ArrayBuffer(this.slabBytes);
      this.offset = 0;
    }
    const at = this.offset;
    // 8-byte alignment keeps any view type valid at any offset.
    this.offset += (byteLength + 7) & ~7;
    return at;
  }
}

/** Above this, a request gets an ordinary allocation of its own. */
const SMALL_BYTES = 2048;
