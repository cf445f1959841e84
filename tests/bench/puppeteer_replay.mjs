// Replays a recording with @puppeteer/replay (puppeteer-core, system Chromium) and prints
// "total MS", then "TYPE MS" for each step, for replay_bench.sh.
import { createRunner, PuppeteerRunnerExtension } from '@puppeteer/replay'
import puppeteer from 'puppeteer-core'
import { readFileSync } from 'node:fs'

const recording = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] })
// the first tab is the foreground one: a background tab gets no animation frames
const page = (await browser.pages())[0] || await browser.newPage()
const times = []
class Timed extends PuppeteerRunnerExtension {
  async beforeEachStep(step, flow) { if (process.env.BENCH_DEBUG) console.error(JSON.stringify(step)); this.t = performance.now(); await super.beforeEachStep?.(step, flow) }
  async afterEachStep(step, flow) { await super.afterEachStep?.(step, flow); times.push([step.type, performance.now() - this.t]) }
}
const runner = await createRunner(recording, new Timed(browser, page, { timeout: 5000 }))
const t0 = performance.now()
await runner.run()
console.log('total', (performance.now() - t0).toFixed(1))
for (const [type, t] of times) console.log(type, t.toFixed(2))
await browser.close()
