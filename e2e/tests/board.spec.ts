import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { expect, test } from '@playwright/test';

import {
  admin,
  composer,
  expectSamePage,
  markPage,
  promptField,
  signIn,
  startCampaign,
  submitButton,
  unique,
} from './helpers';

test('a wrong password shows a clear message and keeps the user on the login page', async ({ page }) => {
  await signIn(page, admin.email, 'definitely not the password');
  await expect(page.getByRole('alert')).toContainText('not correct');
  await expect(page).toHaveURL(/\/login/);
});

test('a creator submits a prompt and watches it finish live, without reloading', async ({ page }) => {
  await signIn(page);
  await startCampaign(page);
  await markPage(page);

  const prompt = unique('a red enamel kettle on a sunny beach');
  await promptField(page).fill(prompt);
  await expect(page.getByTestId('cost-estimate')).toContainText('$');
  await submitButton(page).click();

  const card = page.getByTestId('task-card').filter({ hasText: prompt });
  await expect(card).toHaveCount(1);
  await expect(card).toHaveAttribute('data-stage', 'DRAFT');
  await expect(card).toHaveAttribute('data-status', 'PROCESSING');
  await expect(card.getByTestId('task-status')).toBeVisible();
  await expect(card).toHaveAttribute('data-status', 'SUCCEEDED', { timeout: 30_000 });

  const thumbnail = card.getByTestId('task-thumbnail').first();
  await expect(thumbnail).toBeVisible();
  // The image really loaded (a broken link has no natural size).
  await expect
    .poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0);
  await expectSamePage(page);
});

test('double-clicking submit creates one task', async ({ page }) => {
  await signIn(page);
  await startCampaign(page);
  const prompt = unique('one task only');
  await promptField(page).fill(prompt);
  await submitButton(page).dblclick();
  const cards = page.getByTestId('task-card').filter({ hasText: prompt });
  await expect(cards).toHaveCount(1);
  // Still one after the server has answered every click; the reload also shows the
  // brief was remembered.
  await page.reload();
  await expect(page.getByTestId('task-card').first()).toBeVisible();
  await expect(page.getByTestId('task-card').filter({ hasText: prompt })).toHaveCount(1);
});

test('draft → promote → final, watched live', async ({ page }) => {
  await signIn(page);
  await startCampaign(page);
  await markPage(page);

  // A draft: the composer starts in draft mode.
  await expect(composer(page).getByRole('group', { name: 'Stage' }).getByRole('button', { name: 'Draft' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  const prompt = unique('a paper lantern at dusk');
  await promptField(page).fill(prompt);
  await submitButton(page).click();
  const card = page.getByTestId('task-card').filter({ hasText: prompt });
  await expect(card).toHaveAttribute('data-stage', 'DRAFT');
  await expect(card).toHaveAttribute('data-status', 'SUCCEEDED', { timeout: 30_000 });

  // Its page.
  await card.getByRole('link', { name: prompt }).click();
  const taskPage = page.getByTestId('task-page');
  await expect(taskPage).toHaveAttribute('data-stage', 'DRAFT');
  await expect(taskPage).toHaveAttribute('data-status', 'SUCCEEDED');
  const draftPath = new URL(page.url()).pathname;
  expect(draftPath).toMatch(/^\/tasks\/.+/);
  await expect(page.getByTestId('timeline-entry')).toHaveCount(4);

  // Promote, asking the final for more than a draft may have.
  await page.getByRole('button', { name: 'Promote to final' }).click();
  await page.getByRole('combobox', { name: 'Quality' }).selectOption('HIGH');
  await page.getByRole('button', { name: 'Create the final' }).click();

  // The final's page, linked to the draft, live from processing to done.
  await expect(page).not.toHaveURL(new RegExp(`${draftPath}$`));
  await expect(taskPage).toHaveAttribute('data-stage', 'FINAL');
  const finalPath = new URL(page.url()).pathname;
  await expect(page.getByTestId('lineage-parent')).toHaveAttribute('href', draftPath);
  await expect(page.getByTestId('lineage-parent')).toContainText(prompt);
  await expect(taskPage).toHaveAttribute('data-status', 'PROCESSING', { timeout: 15_000 });
  await expect(taskPage).toHaveAttribute('data-status', 'SUCCEEDED', { timeout: 30_000 });
  const output = page.getByTestId('task-output').first();
  await expect(output).toBeVisible();
  await expect(output).toHaveAttribute('data-download-status', 'STORED');
  await expect
    .poll(() => output.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBeGreaterThan(0);
  await expect(page.getByTestId('task-parameters')).toContainText('High');
  await expect(page.getByTestId('task-timeline').getByTestId('timeline-entry').last()).toHaveAttribute(
    'data-to',
    'SUCCEEDED',
  );

  // And the draft lists the final.
  await page.getByTestId('lineage-parent').click();
  await expect(page).toHaveURL(new RegExp(`${draftPath}$`));
  await expect(page.getByTestId('lineage-child')).toHaveAttribute('href', finalPath);
  await expect(page.getByTestId('lineage-child')).toContainText('Final');
  await expectSamePage(page);
});

test('a duplicate submit while the first is running shows the running task and spends nothing', async ({
  page,
}) => {
  await signIn(page);
  await startCampaign(page);
  const prompt = unique('a glass teapot on a windowsill');
  await promptField(page).fill(prompt);
  await submitButton(page).click();
  const cards = page.getByTestId('task-card').filter({ hasText: prompt });
  await expect(cards).toHaveCount(1);
  const first = cards.first();
  const firstId = await first.getAttribute('data-task-id');

  // The composer still holds the same input: the estimate warns before a second submit.
  await expect(page.getByTestId('duplicate-warning')).toBeVisible();
  await expect(page.getByTestId('duplicate-link')).toHaveAttribute('href', `/tasks/${firstId}`);
  await submitButton(page).click();
  await expect(page.getByTestId('duplicate-notice')).toBeVisible();
  await expect(page.getByTestId('duplicate-notice')).toContainText('already running');
  await expect(cards).toHaveCount(1);
  await expect(page.getByTestId('stat-duplicates')).toHaveText('1');
  await expect(page.getByTestId('stat-tasks')).toHaveText('1');
});

test('a reference is fetched from a link and turns the task into image → image', async ({ page }) => {
  // A 4×4 PNG on loopback, which the e2e server's allow-list opens (see start-kiln.mjs).
  const png = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGM4YaMBRwzEcQDxwxLBXOwG1wAAAABJRU5ErkJggg==',
    'base64',
  );
  const server = createServer((req, res) => {
    const found = req.url === '/moodboard/kettle.png';
    res.writeHead(found ? 200 : 404, { 'content-type': found ? 'image/png' : 'text/plain' });
    res.end(found ? png : 'not here');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await signIn(page);
    await startCampaign(page);
    await page.getByRole('button', { name: 'From a link' }).click();

    // A link that leads nowhere says so, next to the references.
    await page.getByRole('textbox', { name: 'From a link' }).fill(`${base}/missing.png`);
    await page.getByRole('button', { name: 'Fetch', exact: true }).click();
    await expect(page.getByTestId('reference-error')).toContainText('404');

    await page.getByRole('button', { name: 'From a link' }).click();
    await page.getByRole('textbox', { name: 'From a link' }).fill(`${base}/moodboard/kettle.png`);
    await page.getByRole('textbox', { name: 'From a link' }).press('Enter');
    await expect(page.getByTestId('selected-reference')).toHaveCount(1);
    await expect(page.getByTestId('input-type')).toContainText('Image → image');
    // Enter fetched the link; it did not submit a task.
    await expect(page.getByTestId('task-card')).toHaveCount(0);
  } finally {
    server.close();
  }
});
