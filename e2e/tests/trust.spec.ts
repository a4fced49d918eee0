import { expect, type Page, test } from '@playwright/test';

import { promptField, signIn, startCampaign, submitButton, unique } from './helpers';

/** Signs in, starts a campaign, submits `prompt` and waits until its card has `status`. */
async function submitAndWait(page: Page, prompt: string, status: string) {
  await signIn(page);
  await startCampaign(page);
  await promptField(page).fill(prompt);
  await submitButton(page).click();
  const cards = page.getByTestId('task-card').filter({ hasText: prompt });
  await expect(cards.first()).toHaveAttribute('data-status', status, { timeout: 30_000 });
  return cards;
}

test('submitting what already succeeded asks before paying again, and the yes is kept', async ({ page }) => {
  const cards = await submitAndWait(page, unique('a copper kettle on slate'), 'SUCCEEDED');
  const firstId = await cards.first().getAttribute('data-task-id');

  // While the same input is still in the composer, the estimate says the team has it.
  await expect(page.getByTestId('already-have-link')).toHaveAttribute('href', `/tasks/${firstId}`);
  await submitButton(page).click();
  const confirm = page.getByTestId('spend-confirm');
  await expect(confirm).toContainText('already have this');
  await expect(confirm.getByTestId('spend-existing')).toHaveAttribute('href', `/tasks/${firstId}`);
  await expect(cards).toHaveCount(1);

  await confirm.getByRole('button', { name: 'Pay again and go ahead' }).click();
  await expect(cards).toHaveCount(2);
  await expect(confirm).toHaveCount(0);
});

test('a prompt the safety filter refused is explained, and edited instead of retried', async ({ page }) => {
  const prompt = unique('a kettle #fail:content_policy');
  const card = await submitAndWait(page, prompt, 'FAILED');
  await expect(card).toContainText('Reword the prompt');
  await card.getByTestId('task-link').click();

  await expect(page.getByTestId('failure-advice')).toContainText('safety filter');
  await expect(page.getByTestId('retry-task')).toHaveCount(0);
  await page.getByRole('link', { name: 'Edit and resubmit' }).click();
  await expect(promptField(page)).toHaveValue(prompt);
  await expect(promptField(page)).toBeFocused();
});

test('cancelling a running task asks first', async ({ page }) => {
  const card = await submitAndWait(page, unique('a kettle #fail:stuck'), 'PROCESSING');
  await card.getByTestId('task-link').click();

  await page.getByTestId('cancel-task').click();
  const dialog = page.getByRole('alertdialog');
  await expect(dialog).toContainText('Cancel this task?');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(page.getByTestId('cancel-task')).toBeVisible();

  await page.getByTestId('cancel-task').click();
  await page.getByTestId('cancel-confirm-button').click();
  await expect(page.getByTestId('task-failure')).toBeVisible();
});
