// What other tools reuse from the load tool: running the gateway as its own process, as deployed.
export { startGatewayProcess, processCpuSeconds } from './gateway-process';
export type { GatewayProcess } from './gateway-process';
