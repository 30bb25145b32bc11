import { describeLiveLlm } from './live-llm.spec-helper';
import { createOpenAiLlm } from './openai-compatible';

// Talks to the real API; needs OPENAI_API_KEY. Without it the suite is skipped, and says so.
describeLiveLlm({ name: 'openai', keyVariable: 'OPENAI_API_KEY', apiKey: process.env['OPENAI_API_KEY'], create: createOpenAiLlm });
