export type { AesCounterMode, HmacSha1, SrtpPrimitives } from '../domain/media/srtp/srtp-keys.js';
