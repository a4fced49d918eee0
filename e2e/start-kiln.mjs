// Starts a real Kiln for the browser tests: a fresh data directory (SQLite), the
// simulated provider slow enough that "processing" can be seen, a known admin, an
// (unused) gateway for the settings page, and loopback allowed as a webhook target for
// the tests' own receiver.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dataDir = mkdtempSync(join(tmpdir(), 'kiln-e2e-'));
// A gateway no model uses, so the settings page has one to show and the tests can set
// its key; its address is never called.
const configFile = join(dataDir, 'kiln.toml');
writeFileSync(
  configFile,
  `[[providers]]
name = "e2e-gateway"
base_url = "https://gateway.invalid"
api_key_env = "E2E_GATEWAY_API_KEY"
idempotency_header = "Idempotency-Key"
`,
);
const kiln = spawn(process.env.KILN_BIN ?? join(root, 'target/debug/kiln'), ['serve'], {
  stdio: 'inherit',
  env: {
    ...process.env,
    KILN_CONFIG: configFile,
    KILN_BIND: `127.0.0.1:${process.env.E2E_PORT ?? 18090}`,
    KILN_DATA_DIR: dataDir,
    KILN_FRONTEND_DIR: process.env.KILN_FRONTEND_DIR ?? join(root, 'frontend/dist'),
    KILN_ADMIN_EMAIL: process.env.E2E_ADMIN_EMAIL,
    KILN_ADMIN_PASSWORD: process.env.E2E_ADMIN_PASSWORD,
    KILN_ADMIN_TEAM: 'E2E Studio',
    KILN_SIMULATED_LATENCY_MS: '4000',
    KILN_WORKER_POLL_MS: '200',
    // The webhook tests' receiver listens on loopback, which Kiln refuses to call
    // (SSRF rules) unless an operator allows it.
    KILN_NET_ALLOW: '[127.0.0.1/32]',
  },
});

const stop = () => {
  kiln.kill('SIGTERM');
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
kiln.on('exit', (code) => {
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code ?? 0);
});
