import { readFileSync } from 'node:fs';

import { expect, test, type Page } from '@playwright/test';

import { promptField, signIn, startCampaign, submitButton, unique } from './helpers';

/** What Kiln makes of a campaign or brief title in a file name (see domain::task::filename). */
function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}

async function finishedTask(page: Page, prompt: string) {
  await promptField(page).fill(prompt);
  await submitButton(page).click();
  const card = page.getByTestId('task-card').filter({ hasText: prompt });
  await expect(card).toHaveAttribute('data-status', 'SUCCEEDED', { timeout: 30_000 });
  return card;
}

test('the task page downloads each output under a name to file, and all of them as one ZIP', async ({ page }) => {
  await signIn(page);
  const names = await startCampaign(page, { campaign: unique('春茶 Spring'), brief: unique('抖音预告') });
  const prompt = unique('a tea cup on a bamboo mat');
  const card = await finishedTask(page, prompt);
  await card.getByRole('link', { name: prompt }).click();
  await expect(page.getByTestId('task-page')).toHaveAttribute('data-status', 'SUCCEEDED');
  const stem = `${slug(names.campaign)}_${slug(names.brief)}_draft`;

  // One file: the browser reads the name from the server's header (filename*, UTF-8).
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('task-output').first().getByRole('link', { name: 'Download', exact: true }).click(),
  ]);
  expect(file.suggestedFilename()).toBe(`${stem}_1.png`);

  // All of them.
  const [zip] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download all (ZIP)' }).click(),
  ]);
  expect(zip.suggestedFilename()).toBe(`${stem}.zip`);
  const bytes = readFileSync(await zip.path());
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
  // A stored ZIP lists its entries' names in the clear, UTF-8.
  expect(bytes.includes(Buffer.from(`${stem}_1.png`, 'utf8'))).toBe(true);
});

test('the task page says when its links expire, and renews them on demand', async ({ page }) => {
  await signIn(page);
  await startCampaign(page);
  const prompt = unique('a kettle, links renewed');
  const card = await finishedTask(page, prompt);

  // The first answer is made stale, as if the page had stayed open past the expiry.
  let stale = true;
  await page.route('**/graphql', async (route) => {
    if (!stale || !(route.request().postData() ?? '').includes('TaskDownloads')) {
      return route.fallback();
    }
    stale = false;
    const response = await route.fetch();
    const body = await response.json();
    for (const output of body.data.task.outputs) {
      output.linksExpireAt = '2001-01-01T00:00:00Z';
    }
    return route.fulfill({ response, json: body });
  });
  await card.getByRole('link', { name: prompt }).click();
  const bar = page.getByTestId('download-bar');
  await expect(bar).toHaveAttribute('data-expired', 'true');
  await expect(page.getByTestId('links-expiry')).toContainText('expired');

  const renewed = page.waitForRequest(
    (request) => request.url().endsWith('/graphql') && (request.postData() ?? '').includes('TaskDownloads'),
  );
  await page.getByRole('button', { name: 'Renew links' }).click();
  await renewed;
  await expect(bar).toHaveAttribute('data-expired', 'false');
  await expect(page.getByTestId('links-expiry')).toContainText('Download links work until');
  // The renewed link works.
  const href = await page.getByTestId('download-zip').getAttribute('href');
  expect((await page.request.get(href ?? '')).status()).toBe(200);
});
