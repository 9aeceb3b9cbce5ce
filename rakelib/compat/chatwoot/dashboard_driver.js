// Drives Chatwoot's dashboard in Chromium for rake compat:chatwoot (dashboard.rb).
// One JSON request per stdin line, one `DRIVER {...}` reply line on stdout each.
// argv: <playwright-core dir> <chromium executable>.
'use strict';

const readline = require('readline');
const { chromium } = require(process.argv[2]);

let browser;
let page;

// The page's text and what the dashboard drew in bold, for the Ruby side to check.
async function snapshot(selector) {
  return page.evaluate((sel) => {
    const root = document.querySelector(sel) || document.body;
    const texts = (q) => Array.from(root.querySelectorAll(q)).map((e) => e.innerText.trim()).filter(Boolean);
    return {
      url: location.pathname,
      text: root.innerText,
      bold: texts('strong, b'),
    };
  }, selector);
}

async function waitForTexts(texts, timeout) {
  for (const text of texts || []) {
    await page.getByText(text, { exact: false }).first().waitFor({ state: 'visible', timeout });
  }
}

const ops = {
  async start({ width, height }) {
    browser = await chromium.launch({ executablePath: process.argv[3], headless: true });
    const context = await browser.newContext({ viewport: { width, height }, locale: 'en-US' });
    page = await context.newPage();
    return { version: browser.version() };
  },

  // A fresh browser session (another user), as a second person at another computer.
  async new_session({ width, height }) {
    await page.context().close();
    const context = await browser.newContext({ viewport: { width, height }, locale: 'en-US' });
    page = await context.newPage();
    return {};
  },

  async login({ url, email, password }) {
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await page.getByTestId('email_input').fill(email);
    await page.getByTestId('password_input').fill(password);
    await page.getByTestId('submit_button').click();
    await page.waitForURL(/\/app\/accounts\/\d+\//, { timeout: 60000 });
    return { url: new URL(page.url()).pathname };
  },

  // Opens a dashboard URL, waits for texts, scrolls `scroll` (a selector) to its end, takes a
  // screenshot of the viewport (or of the whole page), and returns what the page shows.
  async shot({ url, path, wait_for: waitFor, selector, full_page: fullPage, timeout, settle }) {
    if (url) await page.goto(url, { waitUntil: 'domcontentloaded' });
    await waitForTexts(waitFor, timeout || 30000);
    await page.waitForTimeout(settle || 1500); // images and the list's last layout pass
    await page.screenshot({ path, fullPage: !!fullPage });
    return snapshot(selector || 'body');
  },

  async click_text({ text, timeout }) {
    await page.getByText(text, { exact: true }).first().click({ timeout: timeout || 15000 });
    return {};
  },

  // Types a reply in the conversation's editor and presses the Send button.
  async reply({ text }) {
    // WhatsApp inboxes get the plain textarea; rich-text channels a ProseMirror editor.
    const editor = page.getByPlaceholder(/Shift \+ enter for new line/)
      .or(page.locator('.ProseMirror[contenteditable="true"]')).first();
    await editor.click();
    await editor.pressSequentially(text, { delay: 20 });
    await page.getByRole('button', { name: /^Send/ }).first().click();
    return {};
  },

  // A Dashboard App's tab in the open conversation: its frame's state once it settled.
  async app_tab({ tab, frame, path, timeout }) {
    await page.getByText(tab, { exact: true }).first().click();
    const app = page.frameLocator(`iframe[src*="${frame}"]`);
    await app.locator('body:not([data-state="loading"])').waitFor({ timeout: timeout || 30000 });
    await page.waitForTimeout(800);
    await page.screenshot({ path });
    const body = app.locator('body');
    return { state: await body.getAttribute('data-state'), text: await body.innerText() };
  },

  // Clicks a button in that frame which opens a new tab; screenshots the new tab.
  async app_popup({ frame, button, wait_for: waitFor, path, timeout }) {
    const app = page.frameLocator(`iframe[src*="${frame}"]`);
    const [popup] = await Promise.all([
      page.context().waitForEvent('page', { timeout: timeout || 30000 }),
      app.locator(button).click(),
    ]);
    await popup.waitForLoadState('domcontentloaded');
    for (const text of waitFor || []) {
      await popup.getByText(text, { exact: false }).first().waitFor({ timeout: timeout || 30000 });
    }
    await popup.waitForTimeout(1500);
    await popup.screenshot({ path });
    const result = { url: popup.url(), title: await popup.title(), text: await popup.locator('body').innerText() };
    await popup.close();
    return result;
  },

  async stop() {
    if (browser) await browser.close();
    browser = null;
    return {};
  },
};

const reply = (value) => process.stdout.write(`DRIVER ${JSON.stringify(value)}\n`);

const lines = readline.createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on('line', (line) => {
  queue = queue.then(async () => {
    try {
      const request = JSON.parse(line);
      const op = ops[request.op];
      if (!op) throw new Error(`unknown op ${request.op}`);
      reply({ ok: true, value: await op(request) });
    } catch (e) {
      // What the page showed when it failed, beside the screenshots.
      let where = '';
      if (page && process.env.WAWEB_SHOTS) {
        const file = `${process.env.WAWEB_SHOTS}/failed-${Date.now()}.png`;
        where = await page.screenshot({ path: file }).then(() => ` (at ${page.url()}, ${file})`, () => '');
      }
      reply({ ok: false, error: String(e && e.message ? e.message : e).slice(0, 500) + where });
    }
  });
});
lines.on('close', () => {
  queue.then(() => (browser ? browser.close() : null)).then(() => process.exit(0));
});
reply({ ready: true });
