import { decodeMulaw } from '@voice/audio-codec';

/**
 * A deliberately simple endpointer for the demo: frame RMS against a threshold, onset after `onsetMs` of speech,
 * end after `hangoverMs` of silence. The gateway uses WebRTC VAD (fvad) instead; this keeps the demo dependency-free.
 */
export interface EnergyVadOptions {
  thresholdDbfs?: number;
  onsetMs?: number;
  hangoverMs?: number;
}

export type VadEvent = 'onset' | 'end' | undefined;

export class EnergyVad {
  private readonly pcm = new Int16Array(160);
  private readonly threshold: number;
  private readonly onsetFrames: number;
  private readonly hangoverFrames: number;
  private speechRun = 0;
  private silenceRun = 0;
  private inSpeech = false;

  constructor(o: EnergyVadOptions = {}) {
    this.threshold = 32768 * 10 ** ((o.thresholdDbfs ?? -40) / 20);
    this.onsetFrames = Math.max(1, Math.round((o.onsetMs ?? 60) / 20));
    this.hangoverFrames = Math.max(1, Math.round((o.hangoverMs ?? 400) / 20));
  }

  get speaking(): boolean {
    return this.inSpeech;
  }

  /** Feeds one 20 ms μ-law frame; returns 'onset' or 'end' on a transition. */
  push(frame: Uint8Array): VadEvent {
    const pcm = decodeMulaw(frame.subarray(0, 160), this.pcm);
    let sum = 0;
    for (let i = 0; i < pcm.length; i++) sum += pcm[i] * pcm[i];
    const loud = Math.sqrt(sum / Math.max(1, pcm.length)) > this.threshold;
    if (loud) {
      this.speechRun++;
      this.silenceRun = 0;
      if (!this.inSpeech && this.speechRun >= this.onsetFrames) {
        this.inSpeech = true;
        return 'onset';
      }
    } else {
      this.silenceRun++;
      this.speechRun = 0;
      if (this.inSpeech && this.silenceRun >= this.hangoverFrames) {
        this.inSpeech = false;
        return 'end';
      }
    }
    return undefined;
  }
}
