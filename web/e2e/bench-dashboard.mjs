// The statistics page's time to its first figure, as a person sees it: Chromium (playwright-core)
// logs in to a running server (the demo with its year of history), opens /dashboards for the
// whole city, and measures from the navigation to the first count shown, to the last figure
// request answered, and the size of every figures answer. Several runs; prints each and the
// median. Usage: node web/e2e/bench-dashboard.mjs http://127.0.0.1:8080 [runs] [user]
import { chromium } from 'playwright-core'

const base = (process.argv[2] ?? 'http://127.0.0.1:8080').replace(/\/$/, '')
const runs = Number(process.argv[3] ?? 3)
const user = process.argv[4] ?? 'zhiban'
const password = process.env.SHANZHI_PASSWORD ?? 'Shanzhi@2026'

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] })
const results = []
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } })
  await page.goto(`${base}/login`)
  await page.fill('[data-test=username]', user)
  await page.fill('[data-test=password]', password)
  await page.click('[data-test=login]')
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
  for (let i = 0; i < runs; i++) {
    // A page between runs, so each run mounts the statistics page afresh.
    await page.goto(`${base}/cases/0`).catch(() => {})
    const answers = []
    let open = 0
    let lastDone = 0
    const started = Date.now()
    const onRequest = (r) => { if (r.url().includes('/api/v1/')) open++ }
    const onDone = async (r) => {
      if (!r.url().includes('/api/v1/')) return
      const res = await r.response().catch(() => null)
      const body = res ? await res.body().catch(() => Buffer.alloc(0)) : Buffer.alloc(0)
      answers.push({ url: r.url().replace(base, ''), bytes: body.length, ms: Date.now() - started })
      lastDone = Date.now()
      open--
    }
    page.on('request', onRequest)
    page.on('requestfinished', onDone)
    page.on('requestfailed', () => { open-- })
    await page.goto(`${base}/dashboards`)
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-test=dash-reported]')?.textContent ?? ''), null, { timeout: 120_000 })
    const first = Date.now() - started
    // Every figures request answered, and the page quiet for a second after.
    for (;;) {
      await new Promise((r) => setTimeout(r, 250))
      if (open <= 0 && Date.now() - lastDone > 1000) break
      if (Date.now() - started > 180_000) break
    }
    const all = lastDone - started
    // The browser's own work after the answers: until a frame is drawn.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))))
    const drawn = Date.now() - started
    page.off('request', onRequest)
    page.off('requestfinished', onDone)
    const stats = answers.filter((a) => a.url.includes('/api/v1/stats'))
    const bytes = stats.reduce((n, a) => n + a.bytes, 0)
    const largest = stats.reduce((m, a) => (a.bytes > m.bytes ? a : m), { bytes: 0, url: '' })
    results.push({ first, all, drawn, requests: stats.length, bytes, largest })
    console.log(`run ${i + 1}: first figure ${first} ms, last answer ${all} ms, drawn ${drawn} ms; ${stats.length} figures requests, ${(bytes / 1024).toFixed(0)} KiB, largest ${(largest.bytes / 1024).toFixed(0)} KiB (${largest.url})`)
  }
} finally {
  await browser.close()
}
console.log(`median of ${runs}: first figure ${median(results.map((r) => r.first))} ms, last answer ${median(results.map((r) => r.all))} ms, drawn ${median(results.map((r) => r.drawn))} ms, ${(median(results.map((r) => r.bytes)) / 1024).toFixed(0)} KiB of figures`)
