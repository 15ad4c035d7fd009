import test from 'ava';
import { ByteSlab } from '../../../application/media/byte-slab.js';

test('ByteSlab: views never overlap, stay 8-byte aligned, and a full slab is replaced, not reused', (t) => {
  const slab = new ByteSlab(1024);
  const bytes = Array.from({ length: 100 }, (_, i) => slab.bytes(50 + (i % 7)));
  bytes.forEach((view, i) => view.fill(i + 1));
  // Every view still holds what was written into it: nothing was handed out twice.
  bytes.forEach((view, i) => t.true(view.every((b) => b === i + 1), `view ${i}`));
  for (const view of bytes) t.is(view.byteOffset % 8, 0);
  t.true(new Set(bytes.map((v) => v.buffer)).size > 1, 'more than one slab was used');
});

test('ByteSlab: Int16 views are aligned and sized; large requests get their own buffer', (t) => {
  const slab = new ByteSlab(4096);
  slab.bytes(3);
  const frame = slab.int16(160);
  t.is(frame.length, 160);
  t.is(frame.byteOffset % 2, 0);
  const big = slab.bytes(10_000);
  t.is(big.byteLength, 10_000);
  t.is(big.buffer.byteLength, 10_000);
});
