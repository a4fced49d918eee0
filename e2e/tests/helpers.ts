import { expect, type Page } from '@playwright/test';

export const admin = {
  email: process.env.E2E_ADMIN_EMAIL ?? '',
  password: process.env.E2E_ADMIN_PASSWORD ?? '',
};

export async function signIn(page: Page, email = admin.email, password = admin.password) {
  await page.goto('/login');
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
}

/** A text no other test (or earlier run) has used, for prompts and names. */
export function unique(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Creates a campaign with a budget and its first brief through the UI, and leaves the
 * board on that brief. Every task belongs to a brief, so each test starts here. The
 * first test meets the "first campaign" form; later ones open it from the bar.
 */
export async function startCampaign(page: Page): Promise<{ campaign: string; brief: string }> {
  const campaign = unique('E2E campaign');
  const brief = unique('E2E brief');
  const setup = page.getByTestId('campaign-setup');
  const picker = page.getByTestId('campaign-select');
  await expect(setup.or(picker)).toBeVisible();
  if (await picker.isVisible()) {
    await page.getByTestId('new-campaign').click();
  }
  await page.getByTestId('new-campaign-name').fill(campaign);
  // The test user is an admin, so the budget field is there.
  await page.getByTestId('new-campaign-budget').fill('100');
  await page.getByTestId('new-brief-title').fill(brief);
  await page.getByTestId('create-campaign').click();
  await expect(page.getByTestId('campaign-select').locator('option:checked')).toHaveText(campaign);
  await expect(page.getByTestId('brief-select').locator('option:checked')).toHaveText(brief);
  await expect(page.getByTestId('submit-task')).toBeEnabled();
  return { campaign, brief };
}

/** Marks the page; if the page reloads, the mark is gone. */
export async function markPage(page: Page) {
  await page.evaluate(() => {
    (window as unknown as { kilnMark: boolean }).kilnMark = true;
  });
}

export async function expectSamePage(page: Page) {
  const marked = await page.evaluate(() => (window as unknown as { kilnMark?: boolean }).kilnMark === true);
  expect(marked, 'the page was not reloaded').toBe(true);
}
