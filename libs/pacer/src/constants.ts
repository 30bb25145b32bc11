// Twilio Media Streams plays 8 kHz G.711 μ-law (audio/x-mulaw,
// https://www.twilio.com/docs/voice/media-streams/websocket-messages); playback stays smooth when exactly one
// 160-byte (20 ms) frame goes out every 20 ms.
export { FRAME_BYTES, FRAME_MS, MULAW_SILENCE } from '@voice/audio-codec';

/** μ-law bytes per millisecond at 8 kHz (1 byte per sample). */
export const BYTES_PER_MS = 8;
