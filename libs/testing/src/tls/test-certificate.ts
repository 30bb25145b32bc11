/**
 * A self-signed TLS certificate for 127.0.0.1, ::1 and localhost, valid from 2000-01-01 to 2126-01-01.
 *
 * TEST-ONLY KEY: the private key below is public (it is committed to this repository). It exists so that fakes of
 * vendors whose SDKs force TLS (Cartesia's SDK rewrites every base URL to `wss:` in `buildURL()`) can listen on
 * loopback with `https`. Never use it for anything but local tests. The PEM text lives in a .ts module rather than in
 * .pem files so that it also loads from the compiled `dist/` (tsc does not copy non-TS files).
 *
 * Regenerated with `openssl ca -selfsign -startdate 20000101000000Z -enddate 21260101000000Z` over a P-256 key and
 * the extensions subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1, basicConstraints=critical,CA:FALSE,
 * extendedKeyUsage=serverAuth (the early start date keeps it valid on machines whose clocks run behind).
 */
export const TEST_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBizCCATGgAwIBAgIBATAKBggqhkjOPQQDAjAUMRIwEAYDVQQDDAlsb2NhbGhv
c3QwIBcNMDAwMTAxMDAwMDAwWhgPMjEyNjAxMDEwMDAwMDBaMBQxEjAQBgNVBAMM
CWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABA41/R4hdut+nkLe
ABa1T0Zr7XdNbN1SAemWJpjJWOXFva1VyroRDCrbzPVhxxlyMioL5VZTnwC4ffGQ
q59I4OSjcjBwMCwGA1UdEQQlMCOCCWxvY2FsaG9zdIcEfwAAAYcQAAAAAAAAAAAA
AAAAAAAAATAMBgNVHRMBAf8EAjAAMBMGA1UdJQQMMAoGCCsGAQUFBwMBMB0GA1Ud
DgQWBBQSS3BLV1dn1OLHTgUu+C4j5LDIPDAKBggqhkjOPQQDAgNIADBFAiA1e/XB
Y/uYIYpPfL+VbXplI8s7jdRkEY6DdHQu54tZHwIhAKaAv0KvpV5c1xAHgBkn/Icl
p7n1iQrTLOQx8DEJVnuL
-----END CERTIFICATE-----
`;

/** The private key of {@link TEST_TLS_CERT}. Public, test-only. */
export const TEST_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg8wgGhLRUaVhE6rbn
T8a6/uLDYqcFUt0J/BWt5s0zrZ2hRANCAAQONf0eIXbrfp5C3gAWtU9Ga+13TWzd
UgHpliaYyVjlxb2tVcq6EQwq28z1YccZcjIqC+VWU58AuH3xkKufSODk
-----END PRIVATE KEY-----
`;

/** Options for `https.createServer` / `tls.createServer`. */
export function testTlsServerOptions(): { key: string; cert: string } {
  return { key: TEST_TLS_KEY, cert: TEST_TLS_CERT };
}

/** Options for a client (`https.request`, `ws`, the Cartesia SDK's `tts.websocket(...)`) that must trust the fake. */
export function testTlsClientOptions(): { ca: string } {
  return { ca: TEST_TLS_CERT };
}
