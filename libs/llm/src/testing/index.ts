export { describeLlmContract } from './llm-contract';
export type { LlmContractHarness } from './llm-contract';
export { fakeOpenAiHarness } from './fake-openai-harness';
export { describeLocalLlmContract } from './local-llm-contract';
export type { LocalLlmContractHarness } from './local-llm-contract';
