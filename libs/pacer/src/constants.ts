// Twilio Media Streams plays 8 kHz G.711 μ-law; the smooth-playback recipe is one 160-byte (20 ms) frame per 20 ms
// (shared seed 001: "Audio pacer task sends exactly one 160-byte frame every 20ms").
export { FRAME_BYTES, FRAME_MS, MULAW_SILENCE } from '@voice/audio-codec';

/** μ-law bytes per millisecond at 8 kHz (1 byte per sample). */
export const BYTES_PER_MS = 8;
