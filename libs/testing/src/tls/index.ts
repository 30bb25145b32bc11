export { TEST_TLS_CERT, TEST_TLS_KEY, testTlsClientOptions, testTlsServerOptions } from './test-certificate';
