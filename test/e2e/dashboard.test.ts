/**
 * The dashboard end to end in real headless Chromium (playwright-core driving the system's chromium):
 * log in with the coordinator's token, see the seeded capacity on the board (the same numbers as the
 * export), create a request through the API and see it appear, and save the screenshot the README shows.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MeasureReport } from '@medplum/fhirtypes';
import { chromium } from 'playwright-core';
import t from 'tap';
import { testGateway } from '../helpers/gateway.ts';
import { answer, escalate, orgRef, postRequest, route } from '../insights/requests.ts';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// The README's picture is refreshed on request only (UPDATE_SCREENSHOT=1 npx tap test/e2e/dashboard.test.ts), so
// a test run never changes a tracked file; otherwise the screenshot goes to a temporary folder.
const SCREENSHOT =
  process.env.UPDATE_SCREENSHOT === '1'
    ? join(import.meta.dirname, '../../docs/dashboard.png')
    : join(mkdtempSync(join(tmpdir(), 'spoedbrug-e2e-')), 'dashboard.png');

t.test(
  'dashboard in headless Chromium',
  { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (.ci/run installs the chromium package)` },
  async (t) => {
    const gw = await testGateway({ seed: true });
    t.teardown(() => gw.close());
    await gw.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(gw.app.server.address() as AddressInfo).port}`;
    const profile = mkdtempSync(join(tmpdir(), 'spoedbrug-chromium-'));
    t.teardown(() => rmSync(profile, { recursive: true, force: true }));
    // a persistent context is how playwright takes a user-data-dir: a new empty one per run
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', ...FLAGS],
      viewport: { width: 1366, height: 768 },
      locale: 'nl-NL',
      timezoneId: 'Europe/Amsterdam',
    });
    t.teardown(() => browser.close());
    const page = browser.pages()[0] ?? (await browser.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // the login check before logging in (401) and the refused login (403) are expected failed loads, not script errors
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(m.text()));

    // some traffic first, as the workflow would leave it: placed, rejected and escalated requests
    const hapNoord = await orgRef(gw, 'org-hap-noord');
    const ggz = await orgRef(gw, 'org-ggz-crisis');
    const placed = await postRequest(gw, { careOption: 'hap-visit', origin: 'citizen', fn: 'urgency', postcode: '1815', minutesAgo: 95 });
    await route(gw, placed, hapNoord);
    await answer(gw, placed, 'accepted', 'demo-hap');
    for (const minutesAgo of [80, 70, 55, 40]) {
      const id = await postRequest(gw, { careOption: 'hap-visit', origin: 'citizen', fn: 'urgency', postcode: '1700', minutesAgo });
      await route(gw, id, hapNoord);
      await answer(gw, id, 'accepted', 'demo-hap');
    }
    const rejected = await postRequest(gw, { careOption: 'hap-consult', origin: 'citizen', fn: 'urgency', postcode: '1621', minutesAgo: 25 });
    await route(gw, rejected, hapNoord);
    await answer(gw, rejected, 'rejected', 'demo-hap');
    const escalated = await postRequest(gw, { careOption: 'ggz-crisis-team', origin: 'professional', fn: 'coordination', postcode: '1500', minutesAgo: 48 });
    await route(gw, escalated, ggz);
    await answer(gw, escalated, 'rejected', 'demo-ggz');
    await escalate(gw, escalated, ggz);

    await page.goto(`${base}/dashboard?interval=1`);
    await page.waitForSelector('#login-view:not([hidden])');
    t.equal(await page.textContent('#login h2'), 'Inloggen', 'not logged in: the login form');

    t.test('a participant outside the regional coordination is refused', async (t) => {
      await page.fill('#token', await gw.token('demo-hap'));
      await page.click('#login button[type=submit]');
      await page.waitForFunction("(document.getElementById('login-error')?.textContent ?? '') !== ''");
      t.match(await page.textContent('#login-error'), /regional coordination/);
      t.notOk(await page.isVisible('#board-view'));
    });

    t.test('the coordinator logs in; the session is an HttpOnly cookie', async (t) => {
      await page.fill('#token', await gw.token('demo-coordinator'));
      await page.click('#login button[type=submit]');
      await page.waitForSelector('#board-view:not([hidden])');
      const cookie = (await browser.cookies()).find((c) => c.name === 'spoedbrug_dashboard');
      t.ok(cookie?.httpOnly, 'HttpOnly: page scripts never see the token');
      t.equal(cookie?.sameSite, 'Strict');
      t.equal(await page.evaluate('document.cookie'), '', 'not readable from the page');
    });

    t.test('the board shows the seeded capacity, as the export counts it', async (t) => {
      await page.waitForSelector('#capacity-table tr[data-care-option="hap-visit"] td.cap');
      const summary = (await gw.request('GET', '/fhir/MeasureReport/$capacity-summary')).json as MeasureReport;
      const pop = (care: string, code: string) =>
        summary.group?.find((g) => g.code?.coding?.[0]?.code === care)?.population?.find((p) => p.code?.coding?.[0]?.code === code)?.count ?? 0;
      const withFree = summary.group?.map((g) => g.code?.coding?.[0]?.code as string).find((c) => pop(c, 'services-fresh') > 0 && pop(c, 'free-now') > 0);
      t.ok(withFree, 'the demo seeds fresh free capacity somewhere');
      const regionCell = page.locator(`#capacity-table tr[data-care-option="${withFree}"] td.cap`).last();
      t.equal((await regionCell.textContent())?.trim(), String(pop(withFree as string, 'free-now')), `${withFree}: the region column shows the free capacity`);
      t.match(await regionCell.getAttribute('class'), /\bok\b/, 'coloured as free and fresh');
      // per subregion too: each care option's own strata, coloured full where nothing is free
      for (const g of summary.group ?? []) {
        const care = g.code?.coding?.[0]?.code as string;
        for (const s of g.stratifier?.[0]?.stratum ?? []) {
          const n = (code: string) => s.population?.find((p) => p.code?.coding?.[0]?.code === code)?.count ?? 0;
          const td = page.locator(`#capacity-table tr[data-care-option="${care}"] td[data-territory="${s.value?.coding?.[0]?.code}"]`);
          const cls = n('services-fresh') ? (n('free-now') > 0 ? 'ok' : 'full') : n('services-stale') ? 'stale' : 'unknown';
          t.match(await td.getAttribute('class'), new RegExp(`\\b${cls}\\b`), `${care} in ${s.value?.text}: ${cls}`);
          if (n('services-fresh')) t.equal((await td.textContent())?.trim(), String(n('free-now')));
        }
      }
      const rows = await page.locator('#capacity-table tbody tr').count();
      t.equal(rows, summary.group?.length, 'one row per care option');
      t.equal(
        await page.locator('#capacity-table thead th').count(),
        1 + (summary.group?.[0]?.stratifier?.[0]?.stratum?.length ?? 0) + 1,
        'a column per subregion and the region',
      );
      t.match(await page.textContent('#capacity-table tbody'), /Huisartsenvisite|huisarts/i, 'Dutch care-option names');
    });

    t.test('open requests with status, owner and age; a new one appears live', async (t) => {
      await page.waitForSelector(`#requests-table tr[data-task="${escalated}"]`);
      t.equal(await page.textContent(`#requests-table tr[data-task="${escalated}"] .status`), 'Geëscaleerd');
      t.equal(await page.textContent(`#requests-table tr[data-task="${rejected}"] .status`), 'Afgewezen');
      t.match(await page.textContent(`#requests-table tr[data-task="${placed}"]`), /Geaccepteerd.*Huisartsenpost Noord|Geaccepteerd/);
      t.match(await page.textContent(`#requests-table tr[data-task="${placed}"] .age`), /^1 u 3\d m$/, 'authored 95 minutes ago');
      const fresh = await postRequest(gw, { careOption: 'elv-high', origin: 'professional', fn: 'coordination', postcode: '1745', minutesAgo: 3 });
      await page.waitForSelector(`#requests-table tr[data-task="${fresh}"]`, { timeout: 15_000 });
      t.equal(await page.textContent(`#requests-table tr[data-task="${fresh}"] .status`), 'Aangevraagd', 'the new request is on the board');
      t.match(await page.textContent(`#requests-table tr[data-task="${fresh}"]`), /nog niet toegewezen/);
    });

    t.test('indicator tiles and the trend chart', async (t) => {
      await page.waitForSelector('#tiles .tile[data-measure="request-volume"]');
      t.equal(await page.locator('#tiles .tile').count(), 5);
      t.equal(await page.textContent('#tiles .tile[data-measure="request-volume"] .value'), '8', 'eight requests in the last 24 hours');
      t.equal(await page.textContent('#tiles .tile[data-measure="first-time-right"] .value'), '100%', 'five placed, all at the first provider asked');
      t.match(await page.textContent('#tiles .tile[data-measure="time-to-placement"] .value'), /^\d+ min$/);
      t.equal(await page.textContent('#tiles .tile[data-measure="unmet-demand"] .value'), 'klein aantal', 'one escalation is below the minimum cell size');
      t.equal(await page.locator('#trend-chart rect.bar').count(), 14, 'fourteen days');
    });

    t.test('fits 1366×768 and is saved as a screenshot', async (t) => {
      const size = (await page.evaluate('({ w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight })')) as { w: number; h: number };
      t.ok(size.w <= 1366 && size.h <= 768, `no page scrolling (${size.w}×${size.h})`);
      await page.waitForTimeout(300);
      await page.screenshot({ path: SCREENSHOT });
      t.ok(statSync(SCREENSHOT).size > 20_000, 'a real picture was written');
      t.same(errors, [], 'no script errors in the page');
    });
  },
);
