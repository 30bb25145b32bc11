export { Pacer } from './pacer';
export type { PacerStats } from './pacer';
export type { PacedStream, PacedStreamStats, ClearReport, StreamPhase } from './paced-stream';
export type { MediaSink, PacerMetrics, PacerOptions, StreamOptions } from './options';
export { PACER_DEFAULTS } from './options';
export type { Clock } from './clock';
export { realClock } from './clock';
export { PacerError } from './errors';
export type { PacerErrorCode } from './errors';
