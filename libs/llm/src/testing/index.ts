export { describeLlmContract } from './llm-contract';
export type { LlmContractHarness } from './llm-contract';
export { fakeOpenAiHarness } from './fake-openai-harness';
