/* Composition root: configuration from the environment (validated once), logger, gateway, signals. */
import { ConfigError, type GatewayConfig, loadConfig, redactedConfig, twilioProblem } from './config/config';
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
  const twilio = twilioProblem(config);
  if (twilio !== undefined) log.warn(`Twilio calls are refused: ${twilio}. The softphone does not need Twilio.`);
  // NODE_EXTRA_CA_CERTS is read by Node itself; nothing else about TLS is configured here.
  const gateway = createGateway(config, { logger: log });
  const port = await gateway.listen(config.port);
  log.info({ port, providers: config.providerNotes, config: redactedConfig(config) }, 'voice gateway listening');
  // The PocketSphinx decoder and flite's workers load now, not on the first caller's first words.
  try {
    await gateway.providers.warm();
  } catch (e) {
    const err = e as { code?: string; message?: string };
    log.error({ code: err.code, err: err.message }, 'offline provider unavailable');
    process.stderr.write(
      `voice-gateway: ${err.message ?? String(e)}\nRun 'npm run setup' (it installs the Debian packages in tools/apt-packages.txt), or set DEEPGRAM_API_KEY to use Deepgram.\n`,
    );
    await gateway.close();
    process.exit(1);
  }
  process.stderr.write(banner(config, port, twilio));

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

/** How to talk to it, for a person at a terminal (stderr: stdout stays pure JSON log lines). */
function banner(config: GatewayConfig, port: number, twilioUnavailable: string | undefined): string {
  const lines = ['', `voice gateway on port ${port}: ${config.providerNotes.join('; ')}`];
  if (config.softphone.enabled) lines.push(`  softphone: open http://localhost:${port}/ in a browser and press Call (headphones avoid echo)`);
  else lines.push('  softphone: off (SOFTPHONE_ENABLED=false)');
  if (twilioUnavailable === undefined) {
    lines.push(`  Twilio: point the number's "A call comes in" webhook at https://${config.publicHost}/incoming-call (POST)`);
  } else lines.push(`  Twilio: calls refused: ${twilioUnavailable}`);
  return `${lines.join('\n')}\n\n`;
}

main().catch((e: unknown) => {
  process.stderr.write(`voice-gateway: failed to start: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
