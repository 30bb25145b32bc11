export { CsmTts } from './csm-tts';
export type { CsmTtsOptions } from './csm-tts';
export { createCsmTts } from './create-csm-tts';
export type { CreateCsmTtsOptions } from './create-csm-tts';
export { withBackchannel } from './with-backchannel';
export type { BackchannelOptions } from './with-backchannel';
export { csmFallbackReason } from './csm-metrics';
export type { CsmMetricEvent, CsmMetricSink, CsmRequestMetrics, CsmFallbackMetrics, CsmBackchannelMetrics, CsmFallbackReason } from './csm-metrics';
