import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { expect, test, type Page } from '@playwright/test';

import { promptField, signIn, startCampaign, submitButton, unique } from './helpers';

/** One request as the receiver got it. */
type Received = { method: string; path: string; headers: IncomingHttpHeaders; body: string };

/**
 * A webhook receiver on a random loopback port (which `start-kiln.mjs` allows Kiln to
 * call): it records every request and answers 200 with a short text, which the
 * delivery log shows as the response excerpt — except on `/gone`, which answers
 * 410 Gone, as a receiver that was shut down for good does.
 */
async function startReceiver() {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const gone = req.url === '/gone';
      res.writeHead(gone ? 410 : 200, { 'content-type': 'text/plain' });
      res.end(gone ? 'this receiver is gone' : 'received by the e2e receiver');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    received,
    /** The requests to `path` announcing `type` about `taskId`. */
    about(path: string, type: string, taskId: string | null) {
      return received.filter((r) => {
        if (r.path !== path) return false;
        const body = JSON.parse(r.body) as { type?: string; data?: { id?: string } };
        return body.type === type && body.data?.id === taskId;
      });
    },
    close() {
      // Kiln keeps its connections open; they must not hold the test up.
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Standard Webhooks: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, keyed by the secret's bytes. */
function signedWith(secret: string, request: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const content = `${request.headers['webhook-id']}.${request.headers['webhook-timestamp']}.${request.body}`;
  const expected = `v1,${createHmac('sha256', key).update(content).digest('base64')}`;
  return String(request.headers['webhook-signature'] ?? '')
    .split(' ')
    .includes(expected);
}

function expectStandardHeaders(request: Received) {
  expect(request.method).toBe('POST');
  expect(request.headers['content-type']).toContain('application/json');
  expect(request.headers['webhook-id']).toMatch(/^msg_/);
  expect(request.headers['webhook-timestamp']).toMatch(/^\d+$/);
  expect(request.headers['webhook-signature']).toMatch(/^v1,/);
}

/** Reads a secret from the box that shows it once, then dismisses the box. */
async function takeSecret(page: Page, box = page.getByTestId('secret-once')): Promise<string> {
  await expect(box).toContainText('you will not see it again');
  const secret = await box.getByRole('textbox', { name: 'Signing secret' }).inputValue();
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  await box.getByRole('button', { name: 'I have stored it' }).click();
  await expect(page.getByTestId('secret-once')).toHaveCount(0);
  return secret;
}

async function submitTask(page: Page, prompt: string): Promise<string> {
  await promptField(page).fill(prompt);
  await submitButton(page).click();
  const card = page.getByTestId('task-card').filter({ hasText: prompt });
  await expect(card).toHaveAttribute('data-status', 'SUCCEEDED', { timeout: 30_000 });
  const id = await card.getAttribute('data-task-id');
  expect(id).toBeTruthy();
  return id ?? '';
}

test('an admin adds a webhook endpoint, sees its secret once, and follows signed deliveries live', async ({
  page,
}) => {
  const receiver = await startReceiver();
  try {
    const url = `${receiver.base}/kiln-events`;
    await signIn(page);
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect(page).toHaveURL(/\/settings$/);
    await expect(page.getByTestId('gateways')).toBeVisible();

    // Create the endpoint; its secret is shown this once.
    await page.getByRole('button', { name: '+ Endpoint' }).click();
    await page.getByRole('textbox', { name: 'URL', exact: true }).fill(url);
    await page.getByRole('textbox', { name: 'Description (optional)' }).fill(unique('E2E receiver'));
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    const endpoint = page.locator(`[data-testid="endpoint"][data-url="${url}"]`);
    await expect(endpoint).toHaveAttribute('data-enabled', 'true');
    const secret = await takeSecret(page, endpoint.getByTestId('secret-once'));
    await page.reload();
    await expect(endpoint).toBeVisible();
    await expect(page.getByTestId('secret-once')).toHaveCount(0);
    expect(await page.content()).not.toContain(secret);

    // A task, submitted through the UI, announces itself to the endpoint.
    await page.getByRole('link', { name: 'Kiln', exact: true }).click();
    await startCampaign(page);
    const taskId = await submitTask(page, unique('a ceramic mug for the webhook test'));
    await expect.poll(() => receiver.about('/kiln-events', 'task.succeeded', taskId).length, { timeout: 30_000 }).toBe(1);
    const [succeeded] = receiver.about('/kiln-events', 'task.succeeded', taskId);
    expectStandardHeaders(succeeded);
    expect(signedWith(secret, succeeded), 'signed with the endpoint secret').toBe(true);
    for (const request of receiver.received) {
      expect(signedWith(secret, request)).toBe(true);
    }

    // The delivery log shows it delivered, with the receiver's answer.
    await page.getByRole('link', { name: 'Settings' }).click();
    await endpoint.getByRole('button', { name: 'Delivery log' }).click();
    const delivery = endpoint.locator(
      `[data-testid="delivery"][data-event="task.succeeded"][data-task-id="${taskId}"]`,
    );
    await expect(delivery).toHaveAttribute('data-phase', 'DELIVERED');
    await expect(delivery).toHaveAttribute('data-attempts', '1');
    await expect(delivery.getByTestId('delivery-status')).toHaveText('Delivered');
    await expect(delivery.getByRole('link', { name: 'Task →' })).toHaveAttribute('href', `/tasks/${taskId}`);
    await delivery.getByRole('button', { name: 'Attempts' }).click();
    const attempts = delivery.getByTestId('delivery-attempt');
    await expect(attempts).toHaveCount(1);
    await expect(attempts.first()).toHaveAttribute('data-status-code', '200');
    await expect(attempts.first().getByTestId('attempt-excerpt')).toHaveText('received by the e2e receiver');

    // Replayed: the same message again, and a second attempt appears live.
    await delivery.getByRole('button', { name: 'Replay' }).click();
    await expect(delivery).toHaveAttribute('data-attempts', '2');
    await expect(attempts).toHaveCount(2);
    await expect(attempts.nth(1)).toHaveAttribute('data-status-code', '200');
    await expect(delivery).toHaveAttribute('data-phase', 'DELIVERED');
    await expect
      .poll(() => receiver.received.filter((r) => r.headers['webhook-id'] === succeeded.headers['webhook-id']).length)
      .toBe(2);
    if (process.env.E2E_SCREENSHOT_DIR) {
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(process.env.E2E_SCREENSHOT_DIR, 'settings.png') });
    }

    // The task page lists the same deliveries.
    await delivery.getByRole('link', { name: 'Task →' }).click();
    const callbacks = page.getByTestId('task-callbacks');
    await expect(
      callbacks.locator('[data-testid="delivery"][data-event="task.succeeded"][data-phase="DELIVERED"]'),
    ).toHaveAttribute('data-attempts', '2');

    // Deleting asks first; then the endpoint is gone and hears nothing more.
    await page.getByRole('link', { name: 'Settings' }).click();
    await endpoint.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(endpoint.getByRole('alertdialog')).toBeVisible();
    await endpoint.getByRole('button', { name: 'Yes, delete' }).click();
    await expect(endpoint).toHaveCount(0);
  } finally {
    await receiver.close();
  }
});

test("a task's callback URL is checked on submit and its callbacks are signed with the team secret", async ({
  page,
}) => {
  const receiver = await startReceiver();
  try {
    await signIn(page);
    // The team starts without a callback secret (a retry finds the first try's), and
    // the composer says a callback URL would be refused before anyone submits one.
    if (test.info().retry === 0) {
      await startCampaign(page);
      await page.getByRole('button', { name: 'Advanced' }).click();
      await expect(page.getByTestId('no-callback-secret')).toBeVisible();
    }
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Create or rotate the secret' }).click();
    await page.getByRole('button', { name: 'Yes, make a new secret' }).click();
    const secret = await takeSecret(page, page.getByTestId('callback-secret').getByTestId('secret-once'));

    await page.getByRole('link', { name: 'Kiln', exact: true }).click();
    await startCampaign(page);
    const prompt = unique('a linen tote bag with a callback');
    await promptField(page).fill(prompt);
    await page.getByRole('button', { name: 'Advanced' }).click();
    await expect(page.getByRole('textbox', { name: 'Callback URL (optional)' })).toBeVisible();
    await expect(page.getByTestId('no-callback-secret')).toHaveCount(0);

    // The cloud metadata address is refused, next to the field.
    await page.getByRole('textbox', { name: 'Callback URL (optional)' }).fill('http://169.254.169.254/latest/meta-data');
    await submitButton(page).click();
    const callbackUrl = page.getByRole('textbox', { name: 'Callback URL (optional)' });
    await expect(callbackUrl).toHaveAttribute('aria-invalid', 'true');
    await expect(callbackUrl).toHaveAccessibleDescription(/will not call/);
    await expect(page.getByTestId('task-card').filter({ hasText: prompt })).toHaveCount(0);

    // The receiver is allowed (see start-kiln.mjs).
    await page.getByRole('textbox', { name: 'Callback URL (optional)' }).fill(`${receiver.base}/callback`);
    await expect(callbackUrl).toHaveAttribute('aria-invalid', 'false');
    await expect(callbackUrl).toHaveAccessibleDescription('');
    await submitButton(page).click();
    const card = page.getByTestId('task-card').filter({ hasText: prompt });
    await expect(card).toHaveAttribute('data-status', 'SUCCEEDED', { timeout: 30_000 });
    const taskId = await card.getAttribute('data-task-id');
    await expect.poll(() => receiver.about('/callback', 'task.succeeded', taskId).length, { timeout: 30_000 }).toBe(1);
    const [succeeded] = receiver.about('/callback', 'task.succeeded', taskId);
    expectStandardHeaders(succeeded);
    expect(signedWith(secret, succeeded), 'signed with the team callback secret').toBe(true);

    // The task page shows where its callbacks went and how they fared.
    await card.getByRole('link', { name: prompt }).click();
    await expect(page.getByTestId('task-context')).toContainText(`${receiver.base}/callback`);
    const delivered = page
      .getByTestId('task-callbacks')
      .locator('[data-testid="delivery"][data-event="task.succeeded"]');
    await expect(delivered).toHaveAttribute('data-phase', 'DELIVERED');
    await delivered.getByRole('button', { name: 'Attempts' }).click();
    await expect(delivered.getByTestId('delivery-attempt').first()).toHaveAttribute('data-status-code', '200');
  } finally {
    await receiver.close();
  }
});

test('an endpoint that answers 410 Gone is switched off, and an open settings page says so live', async ({
  page,
}) => {
  const receiver = await startReceiver();
  try {
    const url = `${receiver.base}/gone`;
    await signIn(page);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: '+ Endpoint' }).click();
    await page.getByRole('textbox', { name: 'URL', exact: true }).fill(url);
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    const endpoint = page.locator(`[data-testid="endpoint"][data-url="${url}"]`);
    await takeSecret(page, endpoint.getByTestId('secret-once'));
    await expect(page.getByTestId('live-status')).toHaveText('Live');

    // A second tab of the same session submits a task; this one stays on the settings.
    const board = await page.context().newPage();
    await board.goto('/');
    await startCampaign(board);
    await promptField(board).fill(unique('a paper crane for a receiver that is gone'));
    await submitButton(board).click();

    await expect(endpoint).toHaveAttribute('data-enabled', 'false', { timeout: 30_000 });
    await expect(endpoint.getByTestId('endpoint-state')).toHaveText('Disabled');
    await expect(endpoint.getByTestId('endpoint-disabled-reason')).toContainText('410');
    await expect(endpoint.getByTestId('endpoint-disabled-reason')).toHaveAttribute('data-code', 'GONE');
    await endpoint.getByRole('button', { name: 'Delivery log' }).click();
    // The first event reached it and was answered 410.
    const refused = endpoint.locator('[data-testid="delivery"][data-event="task.queued"]');
    await expect(refused).toHaveAttribute('data-phase', 'FAILED');
    await refused.getByRole('button', { name: 'Attempts' }).click();
    await expect(refused.getByTestId('delivery-attempt').first()).toHaveAttribute('data-status-code', '410');
    await board.close();

    await endpoint.getByRole('button', { name: 'Delete', exact: true }).click();
    await endpoint.getByRole('button', { name: 'Yes, delete' }).click();
    await expect(endpoint).toHaveCount(0);
  } finally {
    await receiver.close();
  }
});

test("a gateway's API key can be set and removed, but never read back", async ({ page }) => {
  await signIn(page);
  await page.getByRole('link', { name: 'Settings' }).click();
  // Configured by start-kiln.mjs, with its key in an environment variable that is unset.
  const gateway = page.locator('[data-testid="gateway"][data-name="e2e-gateway"]');
  await expect(gateway).toHaveAttribute('data-key-source', 'MISSING');
  await expect(gateway).toContainText('https://gateway.invalid');
  await expect(gateway).toContainText('Idempotency-Key');
  // No model of the catalogue runs on this gateway (see start-kiln.mjs), and it says so.
  await expect(gateway).toContainText('no model in the catalogue runs on this gateway');

  const key = `sk-e2e-${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
  const input = gateway.getByLabel('New API key');
  await expect(input).toHaveAttribute('type', 'password');
  await expect(input).toHaveValue('');
  await input.fill(key);
  await gateway.getByRole('button', { name: 'Save key' }).click();
  await expect(gateway.getByRole('status')).toContainText('will not be shown again');
  await expect(gateway).toHaveAttribute('data-key-source', 'KILN');
  await expect(input).toHaveValue('');

  // Neither the page nor the API gives it back.
  await page.reload();
  await expect(gateway).toHaveAttribute('data-key-source', 'KILN');
  await expect(gateway.getByLabel('New API key')).toHaveValue('');
  expect(await page.content()).not.toContain(key);
  const token = await page.evaluate(() => localStorage.getItem('kiln.token'));
  const answer = await page.request.post('/graphql', {
    headers: { authorization: `Bearer ${token}` },
    data: {
      query:
        '{ providers { name baseUrl videoDialect hasApiKey apiKeySetInKiln idempotencyHeader maxConcurrency requestsPerMinute webhookPath } }',
    },
  });
  expect(answer.ok()).toBe(true);
  const text = await answer.text();
  expect(text).toContain('"apiKeySetInKiln":true');
  expect(text).not.toContain(key);

  // Removing Kiln's copy falls back to the configuration, which has none.
  await gateway.getByRole('button', { name: "Remove Kiln's key" }).click();
  await expect(gateway).toHaveAttribute('data-key-source', 'MISSING');
  await expect(gateway.getByRole('status')).toContainText('applies again');
});
