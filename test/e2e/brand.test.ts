/**
 * Issue 11.7 in Chromium at 320 px, light and dark: with no logo the header carries a monogram in
 * the brand colour whose letter reads on it (4.5:1); secondary actions ("Show answer", "Cancel and
 * start over", "Send a new code") are visibly lighter than the step's own button. Axe clean.
 */
import { jest } from '@jest/globals';
import type { Locator } from 'playwright-core';
import { contrastRatio } from '../../src/web/brand.js';
import { checkPage, chromiumSession, describeInBrowser } from './harness.js';

jest.setTimeout(180_000);

const NARROW = 320;

interface Look {
  readonly background: string;
  readonly color: string;
  readonly weight: number;
  readonly border: number;
  readonly width: number;
}

/** "rgb(29, 78, 216)" → "#1d4ed8". */
function hex(rgb: string): string {
  const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number);
  return `#${[r, g, b].map((channel) => (channel ?? 0).toString(16).padStart(2, '0')).join('')}`;
}

function look(locator: Locator): Promise<Look> {
  return locator.evaluate((element) => {
    const style = getComputedStyle(element);
    return { background: style.backgroundColor, color: style.color, weight: Number(style.fontWeight), border: parseFloat(style.borderTopWidth), width: element.getBoundingClientRect().width };
  });
}

const transparent = (colour: string) => colour === 'rgba(0, 0, 0, 0)' || colour === 'transparent';

describeInBrowser('brand and button weight in Chromium', () => {
  const session = chromiumSession({ viewport: { width: NARROW, height: 800 }, demo: { BRAND_NAME: 'Globex', BRAND_PRIMARY_COLOR: '#ffd500' } });

  it.each(['light', 'dark'] as const)('shows a readable monogram in the brand colour without a logo (%s)', async (colorScheme) => {
    await session.page.emulateMedia({ colorScheme });
    await session.page.goto(`${session.demo.url}/forgot-password`);
    const mark = session.page.locator('.site-header .brand-mark');
    expect(await mark.textContent()).toBe('G');
    const { background, color } = await look(mark);
    expect(transparent(background)).toBe(false);
    expect(contrastRatio(hex(background), hex(color))).toBeGreaterThanOrEqual(4.5);
    await checkPage(session.page, `brand-mark-${colorScheme}`);
  });

  it('makes "Show answer" and "Cancel and start over" lighter than the step\'s button', async () => {
    await session.page.goto(`${session.demo.url}/reset-password/${session.demo.emulator.issueRecoveryToken('alice@example.com')}`);
    await session.page.click('form[action="/reset-password"] button[type=submit]');
    await session.page.waitForURL('**/reset-password/question');
    const primary = await look(session.page.locator('form[action="/reset-password/question"] button[type=submit]'));
    const show = await look(session.page.locator('button.toggle-visibility'));
    const cancel = await look(session.page.locator('.cancel-form button'));
    expect(transparent(primary.background)).toBe(false);
    for (const secondary of [show, cancel]) {
      expect(transparent(secondary.background)).toBe(true);
      expect(secondary.weight).toBeLessThan(primary.weight);
    }
    expect(show.border).toBeLessThan(primary.border);
    // Cancel reads as a link: no box, and not the full width the step's button takes on a phone.
    expect(cancel.width).toBeLessThan(primary.width);
    await checkPage(session.page, 'question-secondary-actions');
  });
});
