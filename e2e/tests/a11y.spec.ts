// Keyboard use and an automated accessibility check (axe) of the four pages a person
// meets: login, the board, a task page and the settings, in English and Chinese.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';

import {
  focusedCardId,
  promptField,
  signIn,
  startCampaign,
  submitAndWait,
  submitButton,
  taskCard,
  unique,
} from './helpers';

/** Runs axe's full rule set and fails on anything serious or critical, listing where. */
async function expectNoSeriousViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`);
  expect(serious, `serious or critical accessibility problems on ${what}`).toEqual([]);
}

/** Presses Tab (Shift+Tab with `back`) until `target` has the focus. */
async function tabTo(page: Page, target: Locator, { back = false, max = 80 } = {}) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${max} presses of Tab did not reach ${target}`);
}

/**
 * The focus ring `element` shows: its outline, and the contrast of the outline's
 * colour with the background it is drawn on (the nearest ancestor with a colour).
 */
function focusRing(element: Locator) {
  return element.evaluate((el) => {
    const rgb = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const [R, G, B] = [r, g, b].map((c) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * R + 0.7152 * G + 0.0722 * B;
    };
    const style = getComputedStyle(el);
    let behind = el.parentElement;
    let background = 'rgb(255, 255, 255)';
    while (behind) {
      const colour = getComputedStyle(behind).backgroundColor;
      if (rgb(colour).length === 3 || rgb(colour)[3] === 1) {
        background = colour;
        break;
      }
      behind = behind.parentElement;
    }
    const [a, b] = [luminance(rgb(style.outlineColor)), luminance(rgb(background))].sort((x, y) => y - x);
    return {
      style: style.outlineStyle,
      width: parseFloat(style.outlineWidth),
      contrast: (a + 0.05) / (b + 0.05),
    };
  });
}

async function expectVisibleRing(element: Locator) {
  const ring = await focusRing(element);
  expect(ring.style).toBe('solid');
  expect(ring.width).toBeGreaterThanOrEqual(2);
  expect(ring.contrast).toBeGreaterThanOrEqual(3);
}

test('with Tab and Enter only, a task is submitted and the focus lands on its card', async ({ page }) => {
  await signIn(page);
  await startCampaign(page);
  const submit = submitButton(page);

  // An empty prompt: the focus goes to the field, which says what is wrong.
  await tabTo(page, submit);
  await expectVisibleRing(submit);
  await page.keyboard.press('Enter');
  const prompt = promptField(page);
  await expect(prompt).toBeFocused();
  await expect(prompt).toHaveAttribute('aria-invalid', 'true');
  await expect(prompt).toHaveAccessibleDescription('Describe what to generate.');
  await expectVisibleRing(prompt);

  const text = unique('a bamboo steamer typed without a mouse');
  await page.keyboard.type(text);
  await tabTo(page, submit);
  await page.keyboard.press('Enter');

  // The focus is on the new task's card, not lost to the page, and it shows.
  const card = taskCard(page, text);
  await expect(card).toHaveCount(1);
  const id = await card.getAttribute('data-task-id');
  await expect.poll(() => focusedCardId(page)).toBe(id);
  await expectVisibleRing(card);

  // The same again: the answer is a status message, and the focus goes there.
  await tabTo(page, submit, { back: true });
  await page.keyboard.press('Enter');
  const notice = page.getByRole('status').filter({ hasText: 'Nothing new was spent' });
  await expect(notice).toBeFocused();
  await expect(card).toHaveCount(1);
});

for (const lang of ['en', 'zh'] as const) {
  test(`login, board, task page and settings have no serious accessibility problems (${lang})`, async ({
    page,
  }) => {
    const words = {
      en: { toggle: 'Switch to Chinese', settings: 'Settings', signOut: 'Sign out', signIn: 'Sign in' },
      zh: { toggle: '切换到英文', settings: '设置', signOut: '退出登录', signIn: '登录' },
    }[lang];
    await signIn(page);
    await startCampaign(page);
    const prompt = unique('a celadon vase for the accessibility check');
    const card = await submitAndWait(page, prompt);
    await expect(card.getByTestId('task-thumbnail').first()).toBeVisible();
    // A refused field on the board too, so its error wiring is checked.
    await promptField(page).fill('');
    await submitButton(page).click();
    await expect(promptField(page)).toHaveAttribute('aria-invalid', 'true');
    if (lang === 'zh') {
      await page.getByRole('button', { name: 'Switch to Chinese' }).click();
    }
    await expect(page.locator('html')).toHaveAttribute('lang', lang === 'zh' ? 'zh-CN' : 'en');

    await expectNoSeriousViolations(page, `the board (${lang})`);

    await card.getByRole('link', { name: prompt }).click();
    await expect(page.getByTestId('task-page')).toHaveAttribute('data-status', 'SUCCEEDED');
    await expect(page.getByTestId('task-output').first()).toHaveAttribute('data-download-status', 'STORED');
    await expectNoSeriousViolations(page, `the task page (${lang})`);

    await page.getByRole('link', { name: words.settings }).click();
    await expect(page.getByTestId('gateways')).toBeVisible();
    await expectNoSeriousViolations(page, `the settings (${lang})`);

    await page.getByRole('button', { name: words.signOut }).click();
    await expect(page.getByRole('button', { name: words.signIn, exact: true })).toBeVisible();
    await expectNoSeriousViolations(page, `the login page (${lang})`);
  });
}
