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
