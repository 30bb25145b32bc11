import { mapDeepgramMessage } from './deepgram-messages';

// Verbatim samples from the Deepgram docs (https://developers.deepgram.com/docs/live-streaming-audio, speech-started,
// utterance-end).
const RESULTS = {
  type: 'Results',
  channel_index: [0, 1],
  duration: 1.98,
  start: 5.99,
  is_final: true,
  speech_final: true,
  channel: {
    alternatives: [
      {
        transcript: 'Tell me more about this.',
        confidence: 0.99964225,
        words: [
          { word: 'tell', start: 6.0699997, end: 6.3499994, confidence: 0.99782443, punctuated_word: 'Tell' },
          { word: 'me', start: 6.3499994, end: 6.6299996, confidence: 0.9998324, punctuated_word: 'me' },
        ],
      },
    ],
  },
  metadata: { request_id: '52cc0efe', model_info: { name: '2-general-nova', version: 'x', arch: 'nova-2' }, model_uuid: 'c0d1' },
  from_finalize: false,
};
const INTERIM = {
  channel_index: [0, 1],
  duration: 1.039875,
  start: 0.0,
  is_final: false,
  speech_final: true,
  channel: { alternatives: [{ transcript: 'another big', confidence: 0.96, words: [{ word: 'another', start: 0.2971154, end: 0.7971154, confidence: 0.9588303 }] }] },
  type: 'Results',
};

describe('mapDeepgramMessage', () => {
  it('maps a final Results with punctuated words, offset into caller-audio ms', () => {
    const m = mapDeepgramMessage(RESULTS, 1000);
    expect(m).toEqual({
      kind: 'event',
      finalEndSec: 5.99 + 1.98,
      event: {
        type: 'final',
        text: 'Tell me more about this.',
        speechFinal: true,
        words: [
          { word: 'Tell', startMs: 7070, endMs: 7349.999, confidence: 0.99782443 },
          { word: 'me', startMs: 7349.999, endMs: 7630, confidence: 0.9998324 },
        ],
      },
    });
  });

  it('an is_final:false Results is an interim (even with speech_final:true); empty interims are dropped', () => {
    expect(mapDeepgramMessage(INTERIM, 0)).toMatchObject({ kind: 'event', event: { type: 'interim', text: 'another big' } });
    const empty = { ...INTERIM, channel: { alternatives: [{ transcript: '', confidence: 0, words: [] }] } };
    expect(mapDeepgramMessage(empty, 0)).toEqual({ kind: 'event', event: undefined });
  });

  it('an empty final commits audio; it is an event only when it carries speech_final', () => {
    const alt = { channel: { alternatives: [{ transcript: '', confidence: 0, words: [] }] } };
    expect(mapDeepgramMessage({ ...RESULTS, ...alt, speech_final: false }, 0)).toEqual({ kind: 'event', event: undefined, finalEndSec: 5.99 + 1.98 });
    expect(mapDeepgramMessage({ ...RESULTS, ...alt }, 0)).toMatchObject({ event: { type: 'final', text: '', speechFinal: true } });
  });

  it('maps SpeechStarted, UtteranceEnd and Metadata; ignores unknown types; flags junk', () => {
    expect(mapDeepgramMessage({ type: 'SpeechStarted', channel: [0, 1], timestamp: 9.54 }, 500)).toEqual({
      kind: 'event',
      event: { type: 'speech_started', atMs: 10_040 },
    });
    expect(mapDeepgramMessage({ channel: [0, 1], last_word_end: 2.395, type: 'UtteranceEnd' }, 0)).toEqual({
      kind: 'event',
      event: { type: 'utterance_end', lastWordEndMs: 2395 },
    });
    expect(mapDeepgramMessage({ type: 'Metadata', request_id: 'x' }, 0)).toEqual({ kind: 'metadata' });
    expect(mapDeepgramMessage({ type: 'Warning' }, 0)).toEqual({ kind: 'ignored', type: 'Warning' });
    expect(mapDeepgramMessage('{"type":', 0)).toMatchObject({ kind: 'invalid' });
    expect(mapDeepgramMessage({ type: 'Results', channel: {} }, 0)).toMatchObject({ kind: 'invalid' });
    expect(mapDeepgramMessage({ ...RESULTS, start: 'x' }, 0)).toMatchObject({ kind: 'invalid' });
  });
});
