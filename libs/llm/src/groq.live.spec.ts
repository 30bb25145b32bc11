import { describeLiveLlm } from './live-llm.spec-helper';
import { createGroqLlm } from './openai-compatible';

// Talks to the real API; needs GROQ_API_KEY. Without it the suite is skipped, and says so.
describeLiveLlm({ name: 'groq', keyVariable: 'GROQ_API_KEY', apiKey: process.env['GROQ_API_KEY'], create: createGroqLlm });
