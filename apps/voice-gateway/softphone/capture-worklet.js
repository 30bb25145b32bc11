// AudioWorklet: microphone → PCM16 mono at 16 kHz in 20 ms messages (320 samples), plus a level for the meter.
// The page asks for a 16 kHz AudioContext, so `sampleRate` is normally 16000 and samples pass straight through;
// otherwise a box-filtered linear resampler brings them down (adequate for speech recognition, not for music).
const TARGET_RATE = 16000;
const FRAME = 320;

class Pcm16Capture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / TARGET_RATE; // input samples per output sample
    this.pos = 0; // fractional read position into the current block, carried across blocks
    this.prev = 0;
    this.frame = new Int16Array(FRAME);
    this.filled = 0;
    this.peak = 0;
  }

  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    if (!ch) return true;
    if (this.step === 1) {
      for (let i = 0; i < ch.length; i++) this.push(ch[i]);
    } else {
      // Average the input span of each output sample (a crude low-pass), at fractional positions.
      for (; this.pos < ch.length; this.pos += this.step) {
        const from = Math.floor(this.pos);
        const to = Math.min(ch.length, Math.max(from + 1, Math.floor(this.pos + this.step)));
        let sum = 0;
        for (let i = from; i < to; i++) sum += ch[i];
        this.push(sum / (to - from));
      }
      this.pos -= ch.length;
    }
    return true;
  }

  push(x) {
    const s = Math.max(-1, Math.min(1, x));
    this.frame[this.filled++] = s < 0 ? s * 0x8000 : s * 0x7fff;
    const a = Math.abs(s);
    if (a > this.peak) this.peak = a;
    if (this.filled === FRAME) {
      const out = this.frame.buffer;
      this.port.postMessage({ pcm: out, peak: this.peak }, [out]);
      this.frame = new Int16Array(FRAME);
      this.filled = 0;
      this.peak = 0;
    }
  }
}

registerProcessor('pcm16-capture', Pcm16Capture);
