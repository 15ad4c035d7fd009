import { nextToneFrame, tone, type ToneState } from '../../domain/media/tone.js';

/** Where outgoing audio comes from. */
export type AudioSource =
  | { readonly kind: 'silence' }
  | { readonly kind: 'tone'; readonly frequenciesHz: ReadonlyArray<number>; readonly amplitude?: number }
  | { readonly kind: 'samples'; readonly samples: Int16Array; readonly loop?: boolean }
  | { readonly kind: 'callback'; readonly fill: (frame: Int16Array) => void };

/** Where received audio goes (after the jitter buffer). */
export type AudioSink =
  | { readonly kind: 'discard' }
  | { readonly kind: 'record' }
  | { readonly kind: 'callback'; readonly onFrame: (frame: Int16Array) => void };

/** A source turned into a frame producer that keeps its own position (tone phase, file offset). */
export interface FrameProducer {
  fill(frame: Int16Array): void;
}

export const frameProducer = (source: AudioSource): FrameProducer => {
  switch (source.kind) {
    case 'silence':
      return { fill: (frame) => frame.fill(0) };
    case 'tone': {
      let state: ToneState = tone(source.frequenciesHz, source.amplitude ?? 8000);
      return { fill: (frame) => void (state = nextToneFrame(state, frame)) };
    }
    case 'samples': {
      let offset = 0;
      const { samples, loop } = source;
      return {
        fill: (frame) => {
          for (let i = 0; i < frame.length; i++) {
            if (offset >= samples.length && loop === true && samples.length > 0) offset = 0;
            frame[i] = offset < samples.length ? (samples[offset] as number) : 0;
            offset++;
          }
        },
      };
    }
    case 'callback':
      return { fill: source.fill };
  }
};

/** Collects recorded frames without copying them twice. */
export class Recorder {
  private readonly frames: Int16Array[] = [];
  private length = 0;

  constructor(private readonly maxSamples = 8000 * 60 * 60) {}

  add(frame: Int16Array): void {
    if (this.length + frame.length > this.maxSamples) return;
    this.frames.push(frame.slice());
    this.length += frame.length;
  }

  samples(): Int16Array {
    const out = new Int16Array(this.length);
    let offset = 0;
    for (const f of this.frames) {
      out.set(f, offset);
      offset += f.length;
    }
    return out;
  }
}
