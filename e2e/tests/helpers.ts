import { expect, type Page } from '@playwright/test';

export const admin = {
  email: process.env.E2E_ADMIN_EMAIL ?? '',
  password: process.env.E2E_ADMIN_PASSWORD ?? '',
};

export async function signIn(page: Page, email = admin.email, password = admin.password) {
  await page.goto('/login');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A text no other test (or earlier run) has used, for prompts and names. */
export function unique(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Creates a campaign with a budget and its first brief through the UI, and leaves the
 * board on that brief. Every task belongs to a brief, so each test starts here. The
 * first test meets the "first campaign" form; later ones open it from the bar. The
 * names are unique unless a test chooses its own.
 */
export async function startCampaign(
  page: Page,
  names: { campaign?: string; brief?: string } = {},
): Promise<{ campaign: string; brief: string }> {
  const campaign = names.campaign ?? unique('E2E campaign');
  const brief = names.brief ?? unique('E2E brief');
  // The first-campaign card has no name of its own; its test id stays.
  const setup = page.getByTestId('campaign-setup');
  const picker = campaignPicker(page);
  await expect(setup.or(picker)).toBeVisible();
  if (await picker.isVisible()) {
    await page.getByRole('button', { name: '+ Campaign' }).click();
  }
  await page.getByLabel('Campaign name').fill(campaign);
  // The test user is an admin, so the budget field is there.
  await page.getByLabel('Budget (optional)').fill('100');
  await page.getByLabel('First brief').fill(brief);
  await page.getByRole('button', { name: 'Create campaign' }).click();
  await expect(picker.locator('option:checked')).toHaveText(campaign);
  await expect(briefPicker(page).locator('option:checked')).toHaveText(brief);
  // On a phone the composer waits, hidden, behind "New task"; ready all the same.
  await expect(
    page.getByRole('button', { name: /^Generate (draft|final)/, includeHidden: true }),
  ).toBeEnabled();
  return { campaign, brief };
}

export function campaignPicker(page: Page) {
  return page.getByRole('combobox', { name: 'Campaign', exact: true });
}

export function briefPicker(page: Page) {
  return page.getByRole('combobox', { name: 'Brief', exact: true });
}

/** The composer's prompt. */
/** The composer form, named by its heading. */
export function composer(page: Page) {
  return page.getByRole('form', { name: 'New task' });
}

export function promptField(page: Page) {
  return page.getByRole('textbox', { name: 'Prompt', exact: true });
}

/** The composer's submit button, named by the stage and, once priced, the cost. */
export function submitButton(page: Page) {
  return page.getByRole('button', { name: /^(Generate (draft|final)|Submitting…)/ });
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

/** The board's "New task" button, which opens the composer where the board is one column. */
export function newTaskButton(page: Page) {
  return page.getByRole('button', { name: 'New task', exact: true });
}

/** The card of the task whose prompt is `prompt`. */
export function taskCard(page: Page, prompt: string) {
  return page.getByTestId('task-card').filter({ hasText: prompt });
}

/** The `data-task-id` of the card holding the keyboard focus, if any. */
export function focusedCardId(page: Page): Promise<string | null> {
  return page.evaluate(
    () => document.activeElement?.closest('[data-testid="task-card"]')?.getAttribute('data-task-id') ?? null,
  );
}

/** Submits `prompt` with the mouse and waits for its card to finish. */
export async function submitAndWait(page: Page, prompt: string) {
  await promptField(page).fill(prompt);
  await submitButton(page).click();
  const card = taskCard(page, prompt);
  await expect(card).toHaveAttribute('data-status', 'SUCCEEDED', { timeout: 30_000 });
  return card;
}
