import test from 'ava';
import { parseRtcp, serializeRtcp, type RtcpPacket } from '../../../domain/media/rtcp.js';
import { parseRtp, serializeRtp, type RtpErrorReason } from '../../../domain/media/rtp-packet.js';
import { left, right } from '../../support/either.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));

test('RTP: a PCMU packet with marker decodes field by field and re-encodes to the same bytes (RFC 3550 §5.1)', (t) => {
  const bytes = hex('80 80 1234 0000a0b0 deadbeef' + 'ff'.repeat(160));
  const packet = right(t, parseRtp(bytes));
  t.like(
    packet,
    { marker: true, payloadType: 0, sequence: 0x1234, timestamp: 0xa0b0, ssrc: 0xdeadbeef, csrcs: [], paddingBytes: 0 },
  );
  t.is(packet.payload.length, 160);
  t.is(packet.payload.buffer, bytes.buffer, 'the payload is a view, not a copy');
  t.deepEqual(serializeRtp(packet), bytes);
});

test('RTP: CSRCs, header extension and padding round-trip', (t) => {
  const bytes = hex('b2 08 ffff ffffffff 00000001 00000002 00000003 bede0001 10ff0000 0102 000003');
  const packet = right(t, parseRtp(bytes));
  t.like(packet, { payloadType: 8, sequence: 0xffff, timestamp: 0xffffffff, ssrc: 1, csrcs: [2, 3], paddingBytes: 3 });
  t.is(packet.extension?.profile, 0xbede);
  t.deepEqual(Array.from(packet.payload), [1, 2]);
  t.deepEqual(serializeRtp(packet), bytes);
});

const badRtp: ReadonlyArray<[string, string, RtpErrorReason]> = [
  ['shorter than the header', '80 00 0001', 'TooShort'],
  ['version 1', '40 00 0001 00000000 00000000', 'BadVersion'],
  ['CSRC count beyond the end', '8f 00 0001 00000000 00000000 00000001', 'BadCsrcCount'],
  ['extension beyond the end', '90 00 0001 00000000 00000000 bede0005', 'BadExtension'],
  ['padding count larger than the packet', 'a0 00 0001 00000000 00000000 ff', 'BadPadding'],
];
for (const [situation, bytes, reason] of badRtp) {
  test(`RTP: ${situation} → ${reason}`, (t) => t.is(left(t, parseRtp(hex(bytes))).reason, reason));
}

test('RTCP: a compound SR + SDES (CNAME) + BYE decodes and re-encodes to the same bytes (RFC 3550 §6)', (t) => {
  const packets: RtcpPacket[] = [
    { type: 'SR', ssrc: 0x11223344, ntpSeconds: 0xe1000000, ntpFraction: 0x80000000, rtpTimestamp: 160, packetCount: 50, octetCount: 8000, reports: [
      {
        ssrc: 0x55667788, fractionLost: 25, cumulativeLost: -3, extendedHighestSequence: 0x1000a, jitter: 42,
        lastSr: 0x12345678, delaySinceLastSr: 65536,
      },
    ] },
    { type: 'SDES', chunks: [{ ssrc: 0x11223344, items: [{ type: 1, text: 'alice@example.com' }] }] },
    { type: 'BYE', ssrcs: [0x11223344], reason: 'hangup' },
  ];
  const bytes = serializeRtcp(packets);
  t.is(bytes.length % 4, 0);
  t.is(bytes[1], 200);
  t.deepEqual(right(t, parseRtcp(bytes)), packets);
  t.deepEqual(serializeRtcp(right(t, parseRtcp(bytes))), bytes);
});

test('RTCP: an RR with no blocks, and malformed input as values', (t) => {
  const rr = serializeRtcp([{ type: 'RR', ssrc: 7, reports: [] }]);
  t.deepEqual(Array.from(rr), [0x80, 201, 0, 1, 0, 0, 0, 7]);
  t.is(left(t, parseRtcp(hex('80c9'))).reason, 'TooShort');
  t.is(left(t, parseRtcp(hex('40c90001 00000007'))).reason, 'BadVersion');
  t.is(left(t, parseRtcp(hex('80c90005 00000007'))).reason, 'BadLength');
  t.is(left(t, parseRtcp(hex('81c90001 00000007'))).reason, 'BadCount');
});
