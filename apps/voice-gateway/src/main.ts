/* Composition root: configuration from the environment (validated once), logger, gateway, signals. */
import { ConfigError, loadConfig, redactedConfig } from './config/config';
import { createLogger } from './observability/logger';
import { createGateway } from './server/gateway';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`voice-gateway: ${e.message}\nSee .env.example for every variable and its default.\n`);
      process.exit(1);
    }
    throw e;
  }
  const log = createLogger(config.logLevel);
  if (!config.twilio.validateSignatures) {
    log.warn('TWILIO_VALIDATE_SIGNATURES=false: webhook and media-stream signatures are NOT checked; anyone who finds this host can place calls on your provider keys');
  }
  // NODE_EXTRA_CA_CERTS is read by Node itself; nothing else about TLS is configured here.
  const gateway = createGateway(config, { logger: log });
  const port = await gateway.listen(config.port);
  log.info({ port, config: redactedConfig(config) }, 'voice gateway listening');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      log.error({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal, drainTimeoutMs: config.drainTimeoutMs }, 'shutting down: draining calls');
    gateway
      .drain()
      .then(() => gateway.close())
      .then(
        () => process.exit(0),
        (e: unknown) => {
          log.error({ err: String(e) }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`voice-gateway: failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
