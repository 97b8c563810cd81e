/**
 * A guest on a phone and a front-desk agent on a desktop, in two browser contexts, against the
 * built app and the real server. The steps build on each other and run in order.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { WebSocket } from 'ws';
import { TestApi } from './api';
import { DESKTOP, PHONE, forbidDialogs, launchBrowser, screenshot, seriousA11yViolations } from './browser';
import { ADMIN, startServer, type ServerHandle } from './server';

let server: ServerHandle;
let browser: Browser;
let guestContext: BrowserContext;
let staffContext: BrowserContext;
let guest: Page;
let staff: Page;
const dialogs: string[] = [];
let joinUrl = '';
let roomNumber = '';
const guestName = 'Mei';

const ROOM = String(200 + Math.floor(Math.random() * 700));
/** A colleague of the signed-in admin, there from the start. */
const COLLEAGUE = 'Lin Night';

beforeAll(async () => {
  server = await startServer();
  const setup = new TestApi(server.url);
  await setup.createStaff((await setup.loginAdmin()).accessToken, 'lin.night', COLLEAGUE);
  browser = await launchBrowser();
  guestContext = await browser.newContext({ ...PHONE, baseURL: server.url, locale: 'en-GB' });
  staffContext = await browser.newContext({ ...DESKTOP, baseURL: server.url, locale: 'en-GB' });
  await staffContext.grantPermissions(['notifications'], { origin: server.url });
  guest = await guestContext.newPage();
  staff = await staffContext.newPage();
  forbidDialogs(guest, dialogs);
  forbidDialogs(staff, dialogs);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

afterEach(() => {
  expect(dialogs).toEqual([]);
});

/** Message bodies on a page with this exact text. */
const bodies = (page: Page, text: string): Locator => page.locator('.msg__body').filter({ hasText: new RegExp(`^${escapeRegExp(text)}$`) });

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function expectA11y(page: Page): Promise<void> {
  expect(await seriousA11yViolations(page)).toEqual([]);
}

async function waitFor(locator: Locator, timeout = 15_000): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout });
}

async function guestSend(text: string): Promise<void> {
  await guest.getByLabel('Message to reception').fill(text);
  await guest.getByRole('button', { name: 'Send' }).click();
}

async function staffSend(text: string): Promise<void> {
  const box = staff.getByLabel(/^Reply to/);
  await box.fill(text);
  await box.press('Enter');
  expect(await box.inputValue()).toBe('');
}

/**
 * The newest message is fully inside the scrolled area (the list opened at the bottom), and that
 * area is on the screen: the list scrolls, not the page.
 */
async function expectScrolledToLatest(page: Page, text: string): Promise<void> {
  const inView = () =>
    bodies(page, text)
      .first()
      .evaluate((el) => {
        const box = el.getBoundingClientRect();
        const area = el.closest('.messages__scroller')!.getBoundingClientRect();
        const inArea = box.top >= area.top - 1 && box.bottom <= area.bottom + 1;
        return inArea && box.top >= 0 && box.bottom <= window.innerHeight + 1;
      });
  const deadline = Date.now() + 3000;
  while (!(await inView())) {
    if (Date.now() > deadline) throw new Error(`"${text}" is not scrolled into view`);
    await page.waitForTimeout(100);
  }
}

async function connected(page: Page, timeout = 30_000): Promise<void> {
  await page.locator('.conn[data-state="connected"]').waitFor({ state: 'attached', timeout });
}

test('the guest entry page and the staff sign-in page are accessible', async () => {
  await guest.goto('/');
  await waitFor(guest.getByRole('heading', { name: 'Chat with reception' }));
  await expectA11y(guest);
  // The sign-in choice is one Tab stop; the arrow keys move the choice and the focus.
  const byCode = guest.getByRole('radio', { name: 'Join code' });
  const byRoom = guest.getByRole('radio', { name: 'Room number' });
  expect([await byCode.getAttribute('tabindex'), await byRoom.getAttribute('tabindex')]).toEqual(['0', '-1']);
  await byCode.focus();
  await guest.keyboard.press('ArrowRight');
  expect(await byRoom.getAttribute('aria-checked')).toBe('true');
  expect(await byRoom.evaluate((el) => el === document.activeElement)).toBe(true);
  await guest.keyboard.press('ArrowRight');
  expect(await byCode.getAttribute('aria-checked')).toBe('true');
  await byRoom.click();
  await expectA11y(guest);

  await staff.goto('/staff');
  await waitFor(staff.getByRole('heading', { name: 'Front desk sign-in' }));
  await expectA11y(staff);
});

test('staff signs in, checks a guest in and gets the printable card with the join code and QR code', async () => {
  await staff.getByLabel('Username').fill(ADMIN.username);
  await staff.getByLabel('Password').fill(ADMIN.password);
  await staff.getByRole('button', { name: 'Sign in' }).click();
  await waitFor(staff.getByRole('heading', { name: 'Inbox' }));
  await connected(staff);

  await staff.getByRole('link', { name: 'Check-in' }).click();
  await staff.getByLabel('Guest name').fill(guestName);
  await staff.getByLabel('Family name').fill('Zhang');
  await staff.getByLabel('Room', { exact: true }).fill(ROOM);
  await staff.getByRole('button', { name: 'Register stay' }).click();
  const code = staff.getByTestId('join-code');
  await waitFor(code);
  expect(await code.textContent()).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  await waitFor(staff.getByRole('img', { name: 'QR code of your chat link' }));
  joinUrl = (await staff.locator('.joincard__url').textContent()) ?? '';
  expect(joinUrl).toBe(`${server.url}/join/${await code.textContent()}`);
  roomNumber = ROOM;
  await waitFor(staff.getByRole('cell', { name: ROOM, exact: true }));
  await screenshot(staff, 'check-in-card');
  await expectA11y(staff);
});

test('the card of an in-house guest can be shown and printed again from the list, by keyboard', async () => {
  const issued = await staff.getByTestId('join-code').textContent();
  await staff.getByRole('button', { name: 'Close' }).click();
  await staff.getByTestId('join-code').waitFor({ state: 'detached' });

  const show = staff.getByRole('row').filter({ has: staff.getByRole('cell', { name: ROOM, exact: true }) }).getByRole('button', { name: `Show card for room ${ROOM}` });
  await show.focus();
  await staff.keyboard.press('Enter');
  const heading = staff.getByRole('heading', { name: `Welcome, ${guestName}` });
  await waitFor(heading);
  expect(await heading.evaluate((el) => el === document.activeElement)).toBe(true);
  expect(await staff.getByTestId('join-code').textContent()).toBe(issued);
  expect(await staff.locator('.joincard__url').textContent()).toBe(joinUrl);
  await waitFor(staff.getByRole('img', { name: 'QR code of your chat link' }));
  await waitFor(staff.getByRole('button', { name: 'Print card' }));
  await expectA11y(staff);
  await screenshot(staff, 'reprinted-card');

  await staff.getByRole('button', { name: 'Close' }).click();
  await staff.getByTestId('join-code').waitFor({ state: 'detached' });
  expect(await show.evaluate((el) => el === document.activeElement)).toBe(true);
});

test('the join link lands the guest in the chat, already signed in', async () => {
  await guest.goto(joinUrl);
  await guest.waitForURL('**/chat');
  await waitFor(guest.getByRole('heading', { name: 'Reception' }));
  // The new screen is announced and the keyboard starts on it, not nowhere.
  expect(await guest.getByRole('heading', { name: 'Reception' }).evaluate((el) => el === document.activeElement)).toBe(true);
  await waitFor(guest.getByText(`Room ${roomNumber}`, { exact: false }));
  await connected(guest);
  await waitFor(guest.locator('.presence', { hasText: 'Reception is online' }));
  await waitFor(guest.getByText('How can we help?'));
  await expectA11y(guest);
});

test('guest and staff chat both ways: unread badge, tab title, typing, read ticks', async () => {
  await staff.getByRole('link', { name: /^Inbox/ }).click();
  await guestSend('Hello, could we have two extra pillows?\nThank you!');

  const row = staff.getByRole('link', { name: new RegExp(`${roomNumber}.*${guestName}`) });
  await waitFor(row);
  // The count is read out with the row (the bare number is hidden from screen readers).
  await waitFor(staff.getByRole('link', { name: new RegExp(`${roomNumber}.*${guestName}.*1 unread message`) }));
  await staff.waitForFunction(() => document.title.startsWith('(1)'));
  await screenshot(staff, 'staff-inbox');

  await row.click();
  await waitFor(bodies(staff, 'Hello, could we have two extra pillows?\nThank you!'));
  await staff.waitForFunction(() => !document.title.startsWith('('));
  // The guest sees that reception read it.
  await waitFor(guest.getByRole('img', { name: 'Read' }));

  await staff.getByLabel(/^Reply to/).pressSequentially('Of course', { delay: 20 });
  await waitFor(guest.getByText(/is typing/));
  await staffSend('Of course! They are on their way to your room.');
  await waitFor(bodies(guest, 'Of course! They are on their way to your room.'));
  await guest.getByText(/is typing/).waitFor({ state: 'hidden' });
  await waitFor(staff.getByRole('img', { name: 'Read' }));

  await screenshot(guest, 'guest-chat');
  await screenshot(staff, 'staff-conversation');
  await expectA11y(staff);
  await expectA11y(guest);
});

test('the chime for new guest messages can be muted by keyboard, and stays muted after a reload', async () => {
  // Counts the chime's notes: every oscillator the staff page starts.
  await staffContext.addInitScript(() => {
    const w = window as unknown as { oscillators: number };
    w.oscillators = 0;
    const create = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function (this: AudioContext) {
      w.oscillators += 1;
      return create.call(this);
    };
  });
  const oscillators = () => staff.evaluate(() => (window as unknown as { oscillators: number }).oscillators);
  await staff.reload();
  await connected(staff);
  const sound = staff.getByRole('button', { name: 'Sound' });
  const soundIs = (pressed: boolean) => staff.getByRole('button', { name: 'Sound', pressed }).waitFor();
  await soundIs(true);

  await guestSend('Is the pool open tonight?');
  await waitFor(bodies(staff, 'Is the pool open tonight?'));
  await staff.waitForFunction(() => (window as unknown as { oscillators: number }).oscillators === 2);

  await sound.focus();
  await staff.keyboard.press('Space');
  await soundIs(false);
  await guestSend('And the gym?');
  await waitFor(bodies(staff, 'And the gym?'));
  await staff.waitForTimeout(300);
  expect(await oscillators()).toBe(2);

  // A reload starts the count again: muted, it stays at zero.
  await staff.reload();
  await connected(staff);
  await soundIs(false);
  await expectA11y(staff);
  expect(await oscillators()).toBe(0);
  // Turning it on again plays it once, so the agent hears what it sounds like.
  await sound.focus();
  await staff.keyboard.press('Enter');
  await soundIs(true);
  await staff.waitForFunction(() => (window as unknown as { oscillators: number }).oscillators === 2);
});

test('markup in a message is shown as text and runs nothing', async () => {
  const evil = '<img src=x onerror=alert(1)> <script>alert(2)</script> <b>bold?</b>';
  await guestSend(evil);
  await waitFor(bodies(staff, evil));
  await waitFor(bodies(guest, evil));
  expect(await staff.locator('.msg__body img, .msg__body script, .msg__body b').count()).toBe(0);
  expect(await guest.locator('.msg__body img, .msg__body script, .msg__body b').count()).toBe(0);
  await staffSend('"><svg onload=alert(3)>');
  await waitFor(bodies(guest, '"><svg onload=alert(3)>'));
  expect(await guest.locator('.msg__body svg').count()).toBe(0);
});

test('the server restarts mid-conversation: both sides recover, nothing lost, nothing doubled', async () => {
  await guestSend('Before the restart');
  await waitFor(bodies(staff, 'Before the restart'));

  const restarting = server.restart();
  // Written while the server is down: kept in the outbox and sent once it is back.
  await guest.locator('.conn[data-state="reconnecting"]').waitFor({ state: 'attached', timeout: 15_000 });
  await guestSend('Written while the hotel server restarted');
  await waitFor(guest.getByRole('img', { name: 'Sending' }));
  await restarting;

  await connected(guest);
  await connected(staff);
  await waitFor(bodies(staff, 'Written while the hotel server restarted'), 30_000);
  await staffSend('After the restart');
  await waitFor(bodies(guest, 'After the restart'));

  for (const page of [guest, staff]) {
    for (const text of ['Before the restart', 'Written while the hotel server restarted', 'After the restart']) {
      expect(await bodies(page, text).count()).toBe(1);
    }
  }
});

test('a message written while the network is cut goes out exactly once when it is back', async () => {
  await guestContext.setOffline(true);
  await guest.locator('.conn[data-state="offline"]').waitFor({ state: 'attached', timeout: 15_000 });
  // Whether reception is online is not known offline: not shown.
  await guest.locator('.presence', { hasText: 'Reception is online' }).waitFor({ state: 'detached' });
  await guestSend('Sent from the lift, no signal');
  await waitFor(bodies(guest, 'Sent from the lift, no signal'));
  await waitFor(guest.getByRole('img', { name: 'Sending' }));
  await guest.waitForTimeout(1500);
  expect(await bodies(staff, 'Sent from the lift, no signal').count()).toBe(0);

  await guestContext.setOffline(false);
  await connected(guest);
  await waitFor(bodies(staff, 'Sent from the lift, no signal'));
  await guest.getByRole('img', { name: 'Sending' }).waitFor({ state: 'detached', timeout: 15_000 });
  await staff.waitForTimeout(1000);
  expect(await bodies(staff, 'Sent from the lift, no signal').count()).toBe(1);
  expect(await bodies(guest, 'Sent from the lift, no signal').count()).toBe(1);
});

test('a reload keeps the guest signed in with the history', async () => {
  await guest.reload();
  await waitFor(guest.getByRole('heading', { name: 'Reception' }));
  await connected(guest);
  await waitFor(bodies(guest, 'Hello, could we have two extra pillows?\nThank you!'));
  await waitFor(bodies(guest, 'After the restart'));
  expect(await bodies(guest, 'Sent from the lift, no signal').count()).toBe(1);
  await expectScrolledToLatest(guest, 'Sent from the lift, no signal');
  expect(guest.url()).toMatch(/\/chat$/);
});

test('staff resolves, reopens, assigns, searches and downloads the transcript', async () => {
  await staff.getByRole('link', { name: /^Inbox/ }).click();
  await staff.getByRole('link', { name: new RegExp(`${roomNumber}.*${guestName}`) }).click();
  await staff.getByRole('button', { name: 'Mark resolved' }).click();
  await waitFor(staff.getByRole('button', { name: 'Reopen' }));
  await staff.getByRole('button', { name: 'Reopen' }).click();
  await waitFor(staff.getByRole('button', { name: 'Mark resolved' }));

  // Every active colleague is listed by name, and the inbox names the assignee.
  await staff.getByLabel('Assign to').selectOption({ label: COLLEAGUE });
  await waitFor(staff.locator('.conv').getByText(`Assigned to ${COLLEAGUE}`));
  expect(await staff.getByLabel('Assign to').locator('option:checked').textContent()).toBe(COLLEAGUE);
  await staff.getByLabel('Assign to').selectOption({ label: 'Administrator (me)' });
  await waitFor(staff.locator('.conv').getByText('Mine'));
  await staff.getByLabel('Assigned to').selectOption('unassigned');
  await staff.locator('.conv').first().waitFor({ state: 'detached' });
  await staff.getByLabel('Assigned to').selectOption('mine');
  await waitFor(staff.locator('.conv'));

  await staff.getByLabel('Search all messages').fill('pillows');
  await staff.getByRole('button', { name: 'Search', exact: true }).click();
  await waitFor(staff.getByText('1 result for “pillows”'));
  await staff.getByRole('button', { name: 'Close search' }).click();

  await staff.getByText('Transcript').click();
  const [download] = await Promise.all([staff.waitForEvent('download'), staff.getByRole('button', { name: 'Download as text' }).click()]);
  const text = readFileSync((await download.path())!, 'utf8');
  expect(text).toContain('Hello, could we have two extra pillows?');
  expect(text).toContain('  Thank you!');
});

test('an agent sees colleagues by name: in the assign control and on the inbox rows', async () => {
  const context = await browser.newContext({ ...DESKTOP, baseURL: server.url, locale: 'en-GB' });
  try {
    const page = await context.newPage();
    forbidDialogs(page, dialogs);
    await page.goto('/staff');
    await page.getByLabel('Username').fill('lin.night');
    await page.getByLabel('Password').fill('lin.night-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const row = page.getByRole('link', { name: new RegExp(`${roomNumber}.*${guestName}`) });
    // Assigned to the admin in the step before.
    await waitFor(row.getByText('Assigned to Administrator'));
    await row.click();
    const assign = page.getByLabel('Assign to');
    await waitFor(assign);
    expect(await assign.locator('option:checked').textContent()).toBe('Administrator');
    expect(await assign.locator('option').allTextContents()).toEqual(['Unassigned', `${COLLEAGUE} (me)`, 'Administrator']);
    await assign.selectOption({ label: `${COLLEAGUE} (me)` });
    await waitFor(row.getByText('Mine'));
    await expectA11y(page);
    await assign.selectOption({ label: 'Administrator' });
    await waitFor(row.getByText('Assigned to Administrator'));
  } finally {
    await context.close();
  }
});

test('a long history scrolls back page by page to the first message', async () => {
  const api = new TestApi(server.url);
  const admin = await api.loginAdmin();
  const stay = await api.createStay(admin.accessToken, 'Long', 'History');
  const joined = await api.join(stay.joinCode);
  // Seed through several sockets of both sides (each socket may send a burst of 20).
  const total = 240;
  const seed = async (token: string, from: number, count: number) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, ['bellhop.v1', `bearer.${token}`]);
    await new Promise((resolve, reject) => {
      ws.once('message', resolve);
      ws.once('error', reject);
    });
    let acked = 0;
    const done = new Promise<void>((resolve) => {
      ws.on('message', (raw) => {
        if (JSON.parse(String(raw)).event === 'message.ack' && ++acked === count) resolve();
      });
    });
    for (let i = 0; i < count; i++) {
      const data = { conversationId: joined.conversationId, clientMsgId: randomUUID(), body: `History line ${from + i}` };
      ws.send(JSON.stringify({ event: 'message.send', data }));
    }
    await done;
    ws.close();
  };
  for (let batch = 0; batch < total / 20; batch += 2) {
    await Promise.all([seed(joined.accessToken, batch * 20 + 1, 20), seed(admin.accessToken, batch * 20 + 21, 20)]);
  }

  await staff.goto(`/staff?c=${joined.conversationId}`);
  await waitFor(bodies(staff, `History line ${total}`));
  const first = bodies(staff, 'History line 1');
  const started = Date.now();
  while ((await first.count()) === 0) {
    if (Date.now() - started > 30_000) throw new Error('the first message never loaded');
    await staff.locator('.messages__scroller').evaluate((el) => el.scrollTo(0, 0));
    await staff.waitForTimeout(150);
  }
  await waitFor(staff.getByText('This is the start of the conversation.'));
  expect(await staff.locator('.msg__body').count()).toBe(total);

  // The guest's phone opens the long conversation at its newest message, with the header still
  // on the screen, and follows what arrives.
  const phone = await browser.newContext({ ...PHONE, baseURL: server.url, locale: 'en-GB' });
  try {
    const page = await phone.newPage();
    await page.goto(stay.joinUrl);
    await page.waitForURL('**/chat');
    await connected(page);
    await expectScrolledToLatest(page, `History line ${total}`);
    expect(await page.evaluate(() => document.scrollingElement!.scrollHeight <= window.innerHeight + 1)).toBe(true);
    const head = await page.getByRole('heading', { name: 'Reception' }).boundingBox();
    expect(head!.y).toBeGreaterThanOrEqual(0);
    await seed(admin.accessToken, total + 1, 3);
    await expectScrolledToLatest(page, `History line ${total + 3}`);
  } finally {
    await phone.close();
  }
});

test('a 320 px phone in Chinese: nothing overflows, and the language can be switched', async () => {
  const context = await browser.newContext({ ...PHONE, viewport: { width: 320, height: 640 }, baseURL: server.url, locale: 'zh-CN' });
  try {
    const page = await context.newPage();
    forbidDialogs(page, dialogs);
    await page.goto(joinUrl);
    await page.waitForURL('**/chat');
    await waitFor(page.getByRole('heading', { name: '前台' }));
    await waitFor(bodies(page, 'After the restart'));
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-Hans');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await page.getByLabel('语言').selectOption('en');
    await waitFor(page.getByRole('heading', { name: 'Reception' }));
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await screenshot(page, 'guest-chat-320px');
  } finally {
    await context.close();
  }
});

test('the console works on a phone-sized screen too: list, then conversation with a way back', async () => {
  const context = await browser.newContext({ ...PHONE, viewport: { width: 360, height: 740 }, baseURL: server.url, locale: 'zh-CN' });
  try {
    const page = await context.newPage();
    forbidDialogs(page, dialogs);
    await page.goto('/staff');
    await page.getByLabel('用户名').fill(ADMIN.username);
    await page.getByLabel('密码').fill(ADMIN.password);
    await page.getByRole('button', { name: '登录' }).click();
    const row = page.getByRole('link', { name: new RegExp(`${roomNumber}.*${guestName}`) });
    await row.click();
    await waitFor(bodies(page, 'After the restart'));
    await expectScrolledToLatest(page, 'Sent from the lift, no signal');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(page, 'staff-conversation-360px-zh');
    await page.getByRole('link', { name: '← 收件箱' }).click();
    await waitFor(row);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await expectA11y(page);
  } finally {
    await context.close();
  }
});

test('check-out ends the guest chat visibly', async () => {
  await staff.getByRole('link', { name: 'Check-in' }).click();
  const row = staff.getByRole('row').filter({ has: staff.getByRole('cell', { name: roomNumber, exact: true }) });
  await row.getByRole('button', { name: 'Check out' }).click();
  await row.getByRole('button', { name: `Confirm check-out of room ${roomNumber}` }).click();
  await staff.getByRole('cell', { name: roomNumber, exact: true }).waitFor({ state: 'detached' });
  await waitFor(guest.getByRole('heading', { name: 'Your stay has ended' }), 20_000);
  await screenshot(guest, 'guest-checked-out');
  await expectA11y(guest);
});

test('the staff admin page is accessible and lists accounts', async () => {
  await staff.getByRole('link', { name: 'Staff' }).click();
  await waitFor(staff.getByRole('heading', { name: 'Staff accounts' }));
  await waitFor(staff.getByText(`@${ADMIN.username}`));
  await screenshot(staff, 'staff-admin');
  await expectA11y(staff);
});
