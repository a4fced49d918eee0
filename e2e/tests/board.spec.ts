import { expect, test } from '@playwright/test';

import { admin, expectSamePage, markPage, signIn } from './helpers';

test('a wrong password shows a clear message and keeps the user on the login page', async ({ page }) => {
  await signIn(page, admin.email, 'definitely not the password');
  await expect(page.getByTestId('login-error')).toContainText('not correct');
  await expect(page).toHaveURL(/\/login/);
});

test('a creator submits a prompt and watches it finish live, without reloading', async ({ page }) => {
  await signIn(page);
  await expect(page.getByTestId('prompt-input')).toBeVisible();
  await markPage(page);

  const prompt = `a red enamel kettle on a sunny beach ${Date.now()}`;
  await page.getByTestId('prompt-input').fill(prompt);
  await page.getByTestId('submit-task').click();

  const card = page.getByTestId('task-card').filter({ hasText: prompt });
  await expect(card).toHaveCount(1);
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
  const prompt = `one task only ${Date.now()}`;
  await page.getByTestId('prompt-input').fill(prompt);
  await page.getByTestId('submit-task').dblclick();
  const cards = page.getByTestId('task-card').filter({ hasText: prompt });
  await expect(cards).toHaveCount(1);
  // Still one after the server has answered every click.
  await page.reload();
  await expect(page.getByTestId('task-card').first()).toBeVisible();
  await expect(page.getByTestId('task-card').filter({ hasText: prompt })).toHaveCount(1);
});
