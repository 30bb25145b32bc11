/* Composition root: configuration from the environment (validated once), voice profiles, logger, bridge, signals. */
import pino from 'pino';
import { createBridge } from './bridge';
import { ConfigError, loadConfig, redactedConfig } from './config';
import { loadProfiles, ProfileError } from './profiles';

async function main(): Promise<void> {
  let config;
  let profiles;
  try {
    config = loadConfig(process.env);
    profiles = await loadProfiles(config.profilesDir);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ProfileError) {
      process.stderr.write(`csm-bridge: ${e.message}\nSee apps/csm-bridge/README.md for every variable and its default.\n`);
      process.exit(1);
    }
    throw e;
  }
  const logger = pino({ level: config.logLevel, base: { service: 'csm-bridge' } });
  const bridge = createBridge(config, { logger, profiles });
  const port = await bridge.listen(config.port);
  logger.info({ port, profiles: [...profiles.keys()], config: redactedConfig(config) }, 'csm bridge listening');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    bridge.close().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error({ err: String(e) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`csm-bridge: failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
