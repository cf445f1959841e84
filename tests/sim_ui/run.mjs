// oo-sim's own end-to-end test (issue 3): drives oo-sim in headless Chromium through
// playwright-core and checks what the issue asks. Prints "N passed, N failed".
import { chromium } from '../../vendor/node_modules/playwright-core/index.mjs'
import { spawn } from 'node:child_process'
import { readFileSync, mkdtempSync, existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '../..')
// The reference lives in ../shared beside the repository (as on CI); OO_SHARED_DIR overrides.
const shared = path.resolve(process.env.OO_SHARED_DIR || path.resolve(repo, '../shared'), 'reference/optionomega')
if (!existsSync(path.join(shared, 'selectors.json'))) {
  console.error(`FAIL: the OptionOmega reference is not at ${shared}: clone the repository beside shared/ or set OO_SHARED_DIR`)
  console.log('0 passed, 1 failed')
  process.exit(1)
}
const simBin = process.argv[2]
let passed = 0, failed = 0
const ok = (cond, what) => { if (cond) passed++; else { failed++; console.error('FAIL:', what) } }

// ---- helpers ------------------------------------------------------------------------------
const sims = []
async function startSim(args = []) {
  const p = spawn(simBin, ['--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  sims.push(p)
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: p.stdout })
    rl.once('line', resolve)
    p.once('exit', c => reject(new Error('oo-sim exited with ' + c)))
  })
  return line.trim().replace(/\/$/, '')
}
async function browserCtx(browser) {
  const tmp = mkdtempSync(path.join(process.env.OO_TEST_TMP || '/tmp', 'dl-'))
  return { ctx: await browser.newContext({ viewport: { width: 1300, height: 900 }, acceptDownloads: true }), tmp }
}
async function login(page, base, words = { signIn: 'span.btn-primary' }) {
  await page.goto(base + '/')
  await page.click(words.signIn)
  await page.fill("input[type='email']", 'trader@example.com')
  await page.fill("input[type='password']", 'demo')
  await page.click("form button[type='submit']")
  await page.waitForSelector('table tbody tr td a')
}
async function apiSession(base) {
  const r = await fetch(base + '/api/login', { method: 'POST', body: JSON.stringify({ email: 'a@b.c', password: 'demo' }) })
  return r.headers.get('set-cookie').split(';')[0]
}
async function apiJson(base, cookie, method, url, body) {
  const r = await fetch(base + url, { method, headers: { cookie }, body: body ? JSON.stringify(body) : undefined })
  return { status: r.status, body: await r.json().catch(() => null) }
}
async function apiBacktest(base, cookie, testId, config) {
  const start = await apiJson(base, cookie, 'POST', `/api/tests/${testId}/backtests`, config)
  if (start.status !== 202) return start
  for (;;) {   // the sim answers polls at once; poll until the status changes
    const st = await apiJson(base, cookie, 'GET', `/api/backtests/${start.body.id}`)
    if (st.body.status !== 'running') {
      if (st.body.status !== 'done') return st
      return apiJson(base, cookie, 'GET', `/api/backtests/${start.body.id}/results`)
    }
    await new Promise(r => setImmediate(r))
  }
}
// Every selector string of the reference files, with where it came from.
function collect(node, where, out) {
  if (typeof node === 'string') {
    const looksLikeSelector = /[:\[\].#~>]/.test(node) && !node.includes('{') && !/^[A-Z]/.test(node)
    if (looksLikeSelector) out.push({ sel: node, where })
  } else if (Array.isArray(node)) node.forEach((x, i) => collect(x, `${where}[${i}]`, out))
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) {
    if (['notes', 'format', 'checked_attribute', 'enabled_class', 'disabled_class', 'meta'].includes(k)) continue
    collect(v, where ? `${where}.${k}` : k, out)
  }
  return out
}
// Selectors the reference itself says cannot hold, with the reason.
const knownUnresolvable = {
  "span#headlessui-label-v-2-129:has-text('Use Technical Indicators')": 'a generated Headless UI id (the README: never depend on them)',
  "label:has-text('Exit Time') ~ div input[type='time']": "contradicts selectors_expanded.json's label:has-text('Early Exit Time') ~ input[type='time'], which oo-sim follows",
  "[id^='headlessui-listbox-options']": 'exists only while a listbox is open (checked separately)',
  "[id^='headlessui-listbox-option']": 'exists only while a listbox is open (checked separately)',
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] })
try {
  const base = await startSim()
  const cookie = await apiSession(base)
  const tests = (await apiJson(base, cookie, 'GET', '/api/tests')).body
  const condor = tests.find(t => /Iron Condor/.test(t.name)), pcs = tests.find(t => /Put Credit Spread/.test(t.name))
  ok(tests.length >= 4 && condor && pcs, 'saved tests include a put credit spread and an iron condor')

  // ---- 1. every observed selector resolves (dialog with every toggle on, then results) -------
  {
    const { ctx } = await browserCtx(browser)
    const page = await ctx.newPage()
    const errors = []
    page.on('pageerror', e => errors.push(e.message))
    // login flow: the recorded selectors, each alternative that is not a guess
    await page.goto(base + '/')
    await page.waitForSelector('span.btn-primary')   // the app mounts after asking the API who we are
    ok(await page.locator('div#app').count() === 1, 'the app root is div#app')
    ok(await page.locator('span.btn-primary').count() === 1, "landing page 'Sign in' span.btn-primary")
    ok(await page.locator('text=Sign in').count() > 0, 'text=Sign in')
    await page.click('span.btn-primary')
    await page.waitForSelector('form')
    for (const sel of ['form div:nth-of-type(1) > input', "input[type='email']", 'form div:nth-of-type(2) > input', "input[type='password']", "form button[type='submit']", "button:has-text('Sign in')"])
      ok(await page.locator(sel).count() > 0, `login selector ${sel}`)
    await page.fill("input[type='email']", 'trader@example.com')
    await page.fill("input[type='password']", 'wrong')
    await page.click("form button[type='submit']")
    await page.waitForSelector("[role=alert]:has-text('Invalid email or password')")
    ok(true, 'a wrong password is refused')
    await page.fill("input[type='password']", 'demo')
    await page.click("form button[type='submit']")
    await page.waitForSelector('table tbody tr td a')
    ok(await page.locator('table tbody tr td a').count() === tests.length, 'dashboard lists the saved tests in table tbody tr td a')
    await page.click(`table tbody tr td a:has-text('${condor.name}')`)
    await page.waitForURL(`**/test/${condor.id}`)
    await page.waitForSelector("button:has-text('New Backtest')")
    ok(await page.locator('div.mt-4 > button').count() === 1, 'New Backtest is div.mt-4 > button')
    await page.click("button:has-text('New Backtest')")
    await page.waitForSelector("[id^='headlessui-dialog']")
    await page.waitForSelector("h3:has-text('Misc')")
    // switch on every toggle, including the ones toggles reveal, until none is off
    for (let round = 0; round < 6; round++) {
      const off = page.locator("[role=dialog] button[role='switch'][aria-checked='false']")
      const n = await off.count()
      if (!n) break
      for (let i = n - 1; i >= 0; i--) await off.nth(i).click()
    }
    ok(await page.locator("[role=dialog] button[role='switch'][aria-checked='false']").count() === 0, 'every toggle switched on')
    ok(await page.locator("[role=dialog] button[role='switch'].bg-ooGreen").count() > 30, 'switched-on toggles are bg-ooGreen')
    const files = ['selectors.json', 'selectors_expanded.json']
    let results = []
    for (const f of files) {
      const all = collect(JSON.parse(readFileSync(path.join(shared, f), 'utf8')), f, [])
      for (const { sel, where } of all) {
        if (knownUnresolvable[sel]) continue
        if (where.includes('results_page')) { results.push({ sel, where }); continue }
        let n = 0
        try { await page.locator(sel).first().waitFor({ state: 'attached', timeout: 3000 }); n = await page.locator(sel).count() } catch (e) { n = 0 }
        ok(n > 0, `${where}: ${sel} resolves in the dialog`)
      }
    }
    // listbox options exist while a listbox is open
    await page.click("label:has-text('Frequency') ~ div button.selectInput")
    await page.waitForSelector("[id^='headlessui-listbox-options']")
    ok(await page.locator("[id^='headlessui-listbox-options']").count() === 1, 'an open listbox has headlessui-listbox-options')
    ok(await page.locator("[id^='headlessui-listbox-option-']").count() === 3, 'with its options')
    await page.click("[role=option]:has-text('Weekly')")
    await page.waitForSelector("label:has-text('Frequency') ~ div button.selectInput span.truncate:text-is('Weekly')")
    ok(await page.locator("label:has-text('Frequency') ~ div button.selectInput span.truncate").textContent() === 'Weekly', 'choosing in a listbox shows the value')
    await page.click("label:has-text('Frequency') ~ div button.selectInput")
    await page.click("[role=option]:has-text('Daily')")
    // run it and check the results page selectors
    await page.click("div.flex-shrink-0 button:has(span:has-text('Run'))")
    await page.waitForSelector("[id^='headlessui-dialog']", { state: 'detached' })
    await page.waitForSelector('text=CAGR')
    for (const { sel, where } of results) {
      let n = 0
      try { await page.locator(sel).first().waitFor({ state: 'attached', timeout: 3000 }); n = await page.locator(sel).count() } catch (e) { n = 0 }
      ok(n > 0, `${where}: ${sel} resolves on the results page`)
    }
    ok(errors.length === 0, 'no page errors: ' + errors.join('; '))
    await ctx.close()
  }

  // ---- 2. a backtest through the UI equals the same configuration through the API ----------
  {
    const { ctx, tmp } = await browserCtx(browser)
    const page = await ctx.newPage()
    await login(page, base)
    await page.click(`table tbody tr td a:has-text('${pcs.name}')`)
    await page.click("button:has-text('New Backtest')")
    await page.waitForSelector("h3:has-text('Profit & Loss')")
    await page.fill("h3:has-text('Profit & Loss') ~ div label:has-text('Profit Target') ~ div input", '35')
    await page.fill("div.space-y-4 > div.flex.flex-wrap.gap-2.items-center >> nth=0 >> div.inline-flex input", '20')
    await page.click("span:has-text('Use Early Exit')")
    await page.fill("label:has-text('Early Exit Time') ~ input[type='time']", '14:30')
    // the Dates fields as the real dialog has them (MM/DD/YYYY); a date that is none, or
    // outside the data (2013-01-02 to 2026-11-20), is not taken: the field shows its date again
    const sd = "label:has-text('Start Date') ~ input", ed = "label:has-text('End Date') ~ div input"
    const typeDate = async (sel, v) => { await page.fill(sel, v); await page.locator(sel).dispatchEvent('change') }
    const held = await page.inputValue(sd)
    await typeDate(sd, '02/30/2024')
    ok(await page.inputValue(sd) === held, `an impossible date is refused (${await page.inputValue(sd)})`)
    await typeDate(sd, '12/31/2012')
    ok(await page.inputValue(sd) === held, 'a date before the data is refused')
    await typeDate(ed, '11/21/2026')
    ok(await page.inputValue(ed) !== '11/21/2026', 'a date after the data is refused')
    await typeDate(sd, '3/4/2024')
    await typeDate(ed, '09/30/2024')
    ok(await page.inputValue(sd) === '03/04/2024', 'the start date is shown as MM/DD/YYYY')
    const before = (await apiJson(base, cookie, 'GET', '/__sim/backtests')).body.length
    await page.click("button:has-text('Run')")
    await page.waitForSelector('text=Running Backtest')
    await page.waitForSelector("div.bg-ooGreen:has(dt:has-text('P/L')) dd, div.bg-ooRed:has(dt:has-text('P/L')) dd")
    const log = (await apiJson(base, cookie, 'GET', '/__sim/backtests')).body
    ok(log.length === before + 1, 'the UI started one backtest')
    const ui = log[log.length - 1]
    ok(ui.config.pl.profitTarget === 35 && ui.config.legs[0].value === 20 && ui.config.exit.useEarlyExit === true &&
       ui.config.exit.earlyExitTime === '14:30' && ui.config.startDate === '2024-03-04' && ui.config.endDate === '2024-09-30',
       'oo-sim received exactly the values set in the dialog')
    const viaApi = await apiBacktest(base, cookie, pcs.id, ui.config)
    ok(JSON.stringify(viaApi.body.metrics) === JSON.stringify(ui.metrics), 'UI backtest == API backtest of the same configuration')
    // what the page shows is the API's numbers, formatted
    const shownPl = await page.locator("dt:text-is('P/L') ~ dd").textContent()
    const money = v => (v < 0 ? '-' : '') + '$' + Math.round(Math.abs(v)).toLocaleString('en-US')
    ok(shownPl.trim() === money(ui.metrics.pl), `P/L shown ${shownPl} == ${money(ui.metrics.pl)}`)
    ok((await page.locator("dt:text-is('CAGR') ~ dd").textContent()).trim() === (ui.metrics.cagr * 100).toFixed(1) + '%', 'CAGR formatted as a percent')
    // ---- 4. the trade log downloads and sums to the P/L -------------------------------------
    await page.click("text=Trade Log")
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('text=Download')])
    const file = path.join(tmp, dl.suggestedFilename())
    await dl.saveAs(file)
    const csv = readFileSync(file, 'utf8').trim().split('\n')
    ok(csv[0] === readFileSync(path.join(shared, 'README.md'), 'utf8').match(/`(Date Opened,[^`]+)`/s)[1].replace(/\n/g, ' ').replace(/,\s+/g, ','),
       'the CSV header is OptionOmega\'s, in order')
    const plCol = csv[0].split(',').indexOf('P/L')
    const parse = line => { const out = []; let cur = '', q = false; for (const ch of line) { if (ch === '"') q = !q; else if (ch === ',' && !q) { out.push(cur); cur = '' } else cur += ch } out.push(cur); return out }
    const sum = csv.slice(1).reduce((a, l) => a + Number(parse(l)[plCol]), 0)
    ok(Math.abs(sum - ui.metrics.pl) < 0.005, `trade log sums to ${sum.toFixed(2)}, P/L ${ui.metrics.pl}`)
    ok(csv.length - 1 === ui.metrics.trades, 'one row per trade')
    const opened = csv[0].split(',').indexOf('Date Opened'), closed = csv[0].split(',').indexOf('Date Closed')
    const inside = csv.slice(1).every(l => { const f = parse(l); return f[opened] >= '2024-03-04' && f[closed] <= '2024-09-30' && f[opened] <= f[closed] })
    ok(csv.length > 10 && inside, 'every trade opens and closes within the dialog\'s dates')
    ok(/^\d+ [A-Z][a-z]{2} \d+ [\d.]+ [CP] (STO|BTO) [\d.]+( \| \d+ [A-Z][a-z]{2} \d+ [\d.]+ [CP] (STO|BTO) [\d.]+)*$/.test(parse(csv[1])[3]), 'legs in OptionOmega\'s notation: ' + parse(csv[1])[3])
    // ---- 3. deterministic: the same configuration again gives the same results --------------
    const again = await apiBacktest(base, cookie, pcs.id, ui.config)
    ok(JSON.stringify(again.body.metrics) === JSON.stringify(ui.metrics), 'results are deterministic')
    const base2 = await startSim()
    const other = await apiBacktest(base2, await apiSession(base2), pcs.id, ui.config)
    ok(JSON.stringify(other.body.metrics) === JSON.stringify(ui.metrics), 'another oo-sim process gives the same results')
    await ctx.close()
  }

  // ---- 5. each of the nine parameters measurably moves the results ---------------------------
  {
    const cfg = JSON.parse(JSON.stringify((await apiJson(base, cookie, 'GET', `/api/tests/${pcs.id}`)).body.config))
    const baseline = (await apiBacktest(base, cookie, pcs.id, cfg)).body.metrics
    const vary = {
      delta: c => { c.legs[0].value = 30 },
      rsi: c => { c.entry.useTechnicalIndicators = true; c.entry.minRsi = 40; c.entry.maxRsi = 60 },
      profit_target: c => { c.pl.profitTarget = 25 },
      stop_loss: c => { c.pl.stopLoss = 100 },
      entry_time: c => { c.entry.time = '13:30' },
      exit_time: c => { c.exit.useEarlyExit = true; c.exit.earlyExitTime = '12:00' },
      short_long_ratio: c => { c.exit.useShortLongRatio = true; c.exit.exitSlRatioAbove = 12 },
      entry_sl_ratio: c => { c.misc.useEntryShortLongRatio = true; c.misc.minEntrySlRatio = 6 },
      underlying_movement: c => { c.exit.useUnderlyingMovement = true; c.exit.exitMoveDown = 0.5 },
    }
    for (const [name, f] of Object.entries(vary)) {
      const c = JSON.parse(JSON.stringify(cfg)); f(c)
      const m = (await apiBacktest(base, cookie, pcs.id, c)).body.metrics
      ok(m && JSON.stringify(m) !== JSON.stringify(baseline) && m.pl !== baseline.pl, `${name} moves the results`)
    }
    const bad = await apiJson(base, cookie, 'POST', `/api/tests/${pcs.id}/backtests`, { ...cfg, pl: { ...cfg.pl, profitTarget: 'abc' } })
    ok(bad.status === 400 && /pl\.profitTarget/.test(bad.body.error), 'a bad configuration is a 400 naming the field')
  }

  // ---- 6. faults fire at their rate (fixed seed), and the UI shows them --------------------
  {
    const rate = 0.3, n = 60
    const fb = await startSim(['--faults', `all=${rate}`, '--seed', '42'])
    const ck = await apiSession(fb)
    const t = (await apiJson(fb, ck, 'GET', '/api/tests')).body[0]
    const cfg = (await apiJson(fb, ck, 'GET', `/api/tests/${t.id}`)).body.config
    for (let i = 0; i < n; i++) await apiJson(fb, ck, 'GET', '/api/app-config?context=dialog')
    let cookieNow = ck
    for (let i = 0; i < n; i++) {
      let r = await apiJson(fb, cookieNow, 'POST', `/api/tests/${t.id}/backtests`, cfg)
      if (r.status === 401) { cookieNow = await apiSession(fb); r = await apiJson(fb, cookieNow, 'POST', `/api/tests/${t.id}/backtests`, cfg) }
    }
    const faults = (await apiJson(fb, ck, 'GET', '/__sim/faults')).body
    const count = k => faults.filter(f => f.kind === k).length
    for (const k of ['slow', 'overlay', 'stuck-modal']) ok(count(k) >= n * rate * 0.4 && count(k) <= n * rate * 1.8, `${k} fired ${count(k)} times of ${n} at ${rate}`)
    for (const k of ['ratelimit', 'error', 'session']) ok(count(k) >= 5, `${k} fired ${count(k)} times`)
    ok(count('drop') >= 2, `drop fired ${count('drop')} times`)
    // the same seed gives the same faults
    const fb2 = await startSim(['--faults', `all=${rate}`, '--seed', '42'])
    const ck2 = await apiSession(fb2)
    for (let i = 0; i < n; i++) await apiJson(fb2, ck2, 'GET', '/api/app-config?context=dialog')
    const faults2 = (await apiJson(fb2, ck2, 'GET', '/__sim/faults')).body
    ok(JSON.stringify(faults2) === JSON.stringify(faults.slice(0, faults2.length)), 'same seed, same faults')

    // in the browser: each UI fault at rate 1
    const ui = await startSim(['--faults', 'slow=1,overlay=1,stuck-modal=1', '--seed', '7'])
    const { ctx } = await browserCtx(browser)
    const page = await ctx.newPage()
    await login(page, ui)
    await page.click('table tbody tr td a >> nth=0')
    await page.click("button:has-text('New Backtest')")
    await page.waitForSelector('.overlay-block')
    ok(true, 'overlay shows')
    await page.waitForSelector('text=Loading…')
    ok(await page.locator("h3:has-text('Strategy')").count() === 0, 'the dialog renders late (slow)')
    await page.waitForSelector("h3:has-text('Strategy')")
    await page.waitForSelector('.overlay-block', { state: 'detached' })
    await page.click("button:has-text('Cancel')")
    await page.evaluate(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))))   // the click has been handled and rendered
    ok(await page.locator("[id^='headlessui-dialog']").count() > 0, 'the first Cancel is ignored (stuck modal)')
    await page.click("button:has-text('Cancel')")
    await page.waitForSelector("[id^='headlessui-dialog']", { state: 'detached' })
    ok(true, 'the second Cancel closes it')
    // session expiry: the next action lands on the landing page
    const se = await startSim(['--session-max-backtests', '1'])
    const p2 = await ctx.newPage()
    await login(p2, se)
    await p2.click('table tbody tr td a >> nth=0')
    await p2.click("button:has-text('New Backtest')")
    await p2.click("button:has-text('Run')")
    await p2.waitForSelector('text=CAGR')
    await p2.click("button:has-text('New Backtest')")
    await p2.click("button:has-text('Run')")
    await p2.waitForSelector('span.btn-primary')
    ok(new URL(p2.url()).pathname === '/', 'an expired session goes back to the landing page')
    // rate limit toast
    const rl = await startSim(['--faults', 'ratelimit=1'])
    const p3 = await ctx.newPage()
    await login(p3, rl)
    await p3.click('table tbody tr td a >> nth=0')
    await p3.click("button:has-text('New Backtest')")
    await p3.click("button:has-text('Run')")
    await p3.waitForSelector("[role=alert]:has-text('Too many requests')")
    ok(true, 'a 429 shows "Too many requests"')
    const er = await startSim(['--faults', 'error=1'])
    const p4 = await ctx.newPage()
    await login(p4, er)
    await p4.click('table tbody tr td a >> nth=0')
    await p4.click("button:has-text('New Backtest')")
    await p4.click("button:has-text('Run')")
    await p4.waitForSelector("[role=alert]:has-text('Backtest failed')")
    ok(true, 'an error fault shows an error toast instead of results')
    await ctx.close()
  }

  // ---- ui variant 2: renamed buttons and classes ------------------------------------------
  {
    const v2 = await startSim(['--ui-variant', '2'])
    const { ctx } = await browserCtx(browser)
    const page = await ctx.newPage()
    await page.goto(v2 + '/')
    await page.waitForSelector('span.button-main')
    ok(await page.locator('span.btn-primary').count() === 0, 'variant 2 has no span.btn-primary')
    await login(page, v2, { signIn: 'span.button-main' })
    await page.click('table tbody tr td a >> nth=0')
    await page.waitForSelector("button:has-text('Create Backtest')")
    ok(await page.locator("button:has-text('New Backtest')").count() === 0 && await page.locator("button:has-text('Create Backtest')").count() === 1, 'variant 2 renames New Backtest')
    await page.click("button:has-text('Create Backtest')")
    await page.click("button:has-text('Start Backtest')")
    await page.waitForSelector('text=CAGR')
    ok(true, 'variant 2 runs a backtest with its own words')
    await ctx.close()
  }

  // ---- robustness of the server ------------------------------------------------------------
  {
    const r1 = await fetch(base + '/vendor/vue/../../../../../etc/passwd'); ok(r1.status === 404, 'no path traversal')
    const r2 = await fetch(base + '/api/tests'); ok(r2.status === 401, 'the API needs a session')
    const r3 = await fetch(base + '/dashboard', { redirect: 'manual' }); ok(r3.status === 302, 'pages need a session')
    const r4 = await fetch(base + '/api/login', { method: 'POST', body: '{not json' }); ok(r4.status === 401, 'malformed login is refused')
    const big = 'x'.repeat(2 * 1024 * 1024)
    const r5 = await fetch(base + `/api/tests/${pcs.id}/backtests`, { method: 'POST', headers: { cookie }, body: big }).catch(() => ({ status: 413 }))
    ok(r5.status === 413, 'oversized bodies are refused')
    const r6 = await fetch(base + '/api/tests', { headers: { cookie } }); ok(r6.status === 200, 'the server still answers')
  }
} catch (e) {
  failed++
  console.error('FAIL: ' + (e.stack || e))
} finally {
  await browser.close()
  for (const p of sims) p.kill('SIGTERM')
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
