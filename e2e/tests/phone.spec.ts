// The web app on a phone: nothing scrolls sideways, the board puts the tasks first
// with the composer behind "New task", and the header's controls fit.
import { expect, test, type Page } from '@playwright/test';

import {
  composer,
  focusedCardId,
  newTaskButton,
  promptField,
  signIn,
  startCampaign,
  submitAndWait,
  submitButton,
  taskCard,
  unique,
} from './helpers';

const widths = [360, 390, 430];

async function expectNoSidewaysScroll(page: Page, what: string) {
  const width = page.viewportSize()?.width;
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  // A phone browser zooms out to show a page that is too wide, which widens
  // `innerWidth` with it: the window must still be the phone's width.
  expect(innerWidth, `${what}: the browser zoomed out`).toBe(width);
  expect(scrollWidth, `${what} is ${scrollWidth}px wide in a ${innerWidth}px window`).toBeLessThanOrEqual(innerWidth);
}

test.use({ viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true });

test('on a phone the tasks come first and the composer opens from "New task"', async ({ page }) => {
  await signIn(page);
  await startCampaign(page);

  // The tasks first; the composer waits behind its button.
  await expect(page.getByRole('heading', { name: 'Tasks' })).toBeInViewport();
  await expect(newTaskButton(page)).toHaveAttribute('aria-expanded', 'false');
  await expect(composer(page)).toBeHidden();

  // The header's controls are all there, inside the screen.
  for (const control of [
    page.getByRole('link', { name: 'Kiln', exact: true }),
    page.getByTestId('live-status'),
    page.getByRole('link', { name: 'Settings' }),
    page.getByRole('button', { name: 'Switch to Chinese' }),
    page.getByRole('button', { name: 'Sign out' }),
  ]) {
    await expect(control).toBeVisible();
    const box = await control.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 360, `${control} fits in the header`).toBe(true);
  }

  await newTaskButton(page).click();
  await expect(newTaskButton(page)).toHaveAttribute('aria-expanded', 'true');
  await expect(composer(page)).toBeVisible();
  await expect(promptField(page)).toBeInViewport();
  await expectNoSidewaysScroll(page, 'the open composer');

  // After the submit the composer closes and the new task is in view, focused.
  const prompt = unique('a tea tin seen on a phone');
  await promptField(page).fill(prompt);
  await submitButton(page).click();
  const card = taskCard(page, prompt);
  await expect(card).toBeInViewport();
  await expect(composer(page)).toBeHidden();
  await expect(newTaskButton(page)).toHaveAttribute('aria-expanded', 'false');
  await expect.poll(() => focusedCardId(page)).toBe(await card.getAttribute('data-task-id'));
});

test('no page scrolls sideways at 360, 390 and 430 px, in English and Chinese', async ({ page }) => {
  // Four pages at three widths in two languages.
  test.setTimeout(180_000);
  await signIn(page);
  await startCampaign(page);
  await newTaskButton(page).click();
  // A long unbroken prompt, the hardest text to fit.
  const prompt = unique('a-very-long-product-name-without-any-spaces-for-a-phone-screen 一个很长的中文提示词用来检查手机屏幕上的换行');
  const card = await submitAndWait(page, prompt);
  await card.getByRole('link', { name: prompt }).click();
  await expect(page.getByTestId('task-page')).toHaveAttribute('data-status', 'SUCCEEDED');
  const taskUrl = page.url();

  for (const lang of ['en', 'zh']) {
    if (lang === 'zh') {
      await page.getByRole('button', { name: 'Switch to Chinese' }).click();
      await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    }
    for (const width of widths) {
      await page.setViewportSize({ width, height: 800 });
      const at = `at ${width}px (${lang})`;

      await page.goto('/');
      await expect(taskCard(page, prompt)).toBeVisible();
      await expectNoSidewaysScroll(page, `the board ${at}`);
      await page.getByRole('button', { name: lang === 'zh' ? '新建任务' : 'New task', exact: true }).click();
      await expect(page.getByRole('form', { name: lang === 'zh' ? '新建任务' : 'New task' })).toBeVisible();
      await expectNoSidewaysScroll(page, `the board with the composer open ${at}`);

      await page.goto(taskUrl);
      await expect(page.getByTestId('task-output').first()).toBeVisible();
      await expectNoSidewaysScroll(page, `the task page ${at}`);

      await page.goto('/settings');
      await expect(page.getByTestId('gateways')).toBeVisible();
      await expectNoSidewaysScroll(page, `the settings ${at}`);
    }
  }

  // The login page, signed out, in both languages.
  await page.evaluate(() => localStorage.removeItem('kiln.token'));
  for (const lang of ['zh', 'en']) {
    for (const width of widths) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto('/login');
      await expect(page.getByRole('button', { name: lang === 'zh' ? '登录' : 'Sign in', exact: true })).toBeVisible();
      await expectNoSidewaysScroll(page, `the login page at ${width}px (${lang})`);
    }
    if (lang === 'zh') {
      await page.getByRole('button', { name: '切换到英文' }).click();
    }
  }
});
