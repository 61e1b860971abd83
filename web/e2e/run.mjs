// Browser tests of the console: the real shanzhi binary serves the Tangshan demo (no history) on a
// free port from a scratch folder, and Debian's Chromium, driven by playwright-core, works a case
// as people do: a resident's report arrives, the intake operator finds it on the case desk (also by
// searching its words), opens it, sends it for verification and adds a note; a wrong password is
// refused with the server's message; the console switches to English; a grid worker on a phone
// (375×812) sees their own community's desk; the shift supervisor watches the command centre count
// a new report live, drills down county → street → community by the table and by the map, and
// opens the cases behind a figure; a resident on a 390 px phone reports an everyday problem from its tile,
// gets a short code, follows the case by typing the code and rates it once it is closed; the
// administrator creates, disables and reads accounts and roles, has a
// broken grid file checked and sees the calendar; a new kind of work (a street-stall permit) is
// imported as a file in the admin page, worked to its end and counted on the dashboard, which
// offers it by name. Screenshots with Chinese text go to web/e2e/out/.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { PASSWORD, PNG, api, check, launch, logIn, stepper, finish } from './lib.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const out = join(here, 'out')
mkdirSync(out, { recursive: true })
const bin = process.env.SHANZHI_BIN ?? join(here, '../../target/debug/shanzhi')
const work = mkdtempSync(join(tmpdir(), 'shanzhi-e2e-'))

let server
let browser
const suite = stepper()
const { step, steps } = suite

/** On the report form: the place picked on the map, 路南区 → 学院南路街道 → 立新东楼社区, a tap
 * in the middle of the community's map. */
async function pickOnMap(phone) {
  await phone.click('[data-test=report-map]')
  for (const name of ['路南区', '学院南路街道', '立新东楼社区']) {
    await phone.click(`[data-test=report-areas] button:has-text("${name}")`)
  }
  await phone.waitForSelector('[data-test=map] canvas')
  await phone.locator('[data-test=map]').scrollIntoViewIfNeeded()
  const box = await phone.locator('[data-test=map]').boundingBox()
  await phone.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
  await phone.waitForFunction(() => document.querySelector('[data-test=report-place]')?.textContent?.includes('立新东楼社区'))
}

try {
  server = launch(bin, ['demo', '--history', '0', '--listen', '127.0.0.1:0'], work)
  const base = await server.ready
  console.log(`server at ${base}, scratch folder ${work}`)
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] })

  // A resident reports a problem in 立新东楼社区 (130202001001), inside its first grid (the demo's
  // grids are the same on every load).
  const jumin = (await api(base, 'POST', '/api/v1/auth/login', { username: 'jumin', password: PASSWORD })).token
  const words = '单元门口路灯不亮已经一周'
  const report = await api(base, 'POST', '/api/v1/cases', {
    kind: 'event', type: '0602', description: `${words}，联系电话13812345678`,
    lon: 118.18246, lat: 39.49733, channel: 'resident_web',
  }, jumin)
  const id = report.id
  check(report.grid === '130202001001001', `the report is in the grid: ${report.grid}`)

  const desk = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' })

  await step('a wrong password is refused with the server\'s message', async () => {
    await logIn(desk, base, 'shouli', 'wrong-password')
    await desk.waitForSelector('[data-test=login-error]')
    check((await desk.textContent('[data-test=login-error]')).includes('账号或密码错误'), 'the message, in Chinese')
  })

  await step('the intake operator logs in and finds the new report on the case desk', async () => {
    await logIn(desk, base, 'shouli')
    await desk.waitForURL(/\/cases$/)
    check((await desk.textContent('[data-test=who]')).includes('受理员'), 'the role is shown in Chinese')
    await desk.waitForSelector(`[data-test=cases] .el-table__row >> text=${id}`)
    const row = await desk.textContent(`[data-test=cases] .el-table__row:has-text("${id}")`)
    check(row.includes('138****5678') && !row.includes('13812345678'), `the phone is masked on the desk: ${row}`)
    // The operator's to-do list of reports waiting for intake counts it, by the state's name, and
    // opens the cases waiting there; it agrees with the server's list.
    const todo = '[data-test=todo-event-reported-scope]'
    await desk.waitForSelector(todo)
    check((await desk.textContent(todo)).includes('已上报·待受理'), 'the to-do list named as the state is')
    const waiting = Number(await desk.textContent('[data-test=todo-count-event-reported-scope]'))
    check(waiting >= 1, `reports waiting: ${waiting}`)
    const [opened] = await Promise.all([
      desk.waitForResponse((r) => r.url().includes('/api/v1/cases?') && r.url().includes('state=reported')),
      desk.click(todo),
    ])
    const listed = await opened.json()
    check(listed.total === waiting && listed.items.some((c) => c.id === id), `the list behind it: ${listed.total} vs ${waiting}`)
    const tags = await desk.textContent('[data-test=extra]')
    check(tags.includes('未结案'), `the list's filter shown by name: ${tags}`)
    await desk.screenshot({ path: join(out, 'desk-1920x1080.png') })
    await desk.click('text=重置')
  })

  await step('searching the report\'s words finds it', async () => {
    await desk.fill('[data-test=q]', '路灯 一周')
    const [res] = await Promise.all([
      desk.waitForResponse((r) => r.url().includes('/api/v1/cases?') && r.url().includes('q=')),
      desk.click('[data-test=search]'),
    ])
    const found = await res.json()
    check(found.total === 1 && found.items[0].id === id, `the search answers the case: ${JSON.stringify(found).slice(0, 200)}`)
    await desk.waitForFunction(() => document.querySelector('[data-test=total]')?.textContent?.includes('共 1 件'))
    check((await desk.textContent('[data-test=cases]')).includes(id), 'the desk shows it')
    // Where it is, by name (not the grid's code), and how long its step has left.
    const place = await desk.textContent(`[data-test=cases] .el-table__row:has-text("${id}") [data-test=case-place]`)
    check(place.includes('学院南路') && !/\d{15}/.test(place), `the place by its names: ${place}`)
    const left = await desk.textContent(`[data-test=cases] .el-table__row:has-text("${id}") [data-test=case-left]`)
    check(/剩|超时/.test(left), `the time left: ${left}`)
    // The area picked by name: 路南区 → 学院南路街道 narrows the list to the street's cases.
    await desk.fill('[data-test=q]', '')
    await desk.click('[data-test=area-picker] .el-cascader')
    await desk.click('.area-picker-options li:has-text("路南区")')
    await desk.click('.area-picker-options li:has-text("学院南路") .el-radio')
    const [narrowed] = await Promise.all([
      desk.waitForResponse((r) => r.url().includes('/api/v1/cases?') && r.url().includes('area=130202001&')),
      desk.click('[data-test=search]'),
    ])
    check((await narrowed.json()).items.some((c) => c.id === id), 'the street\'s cases hold it')
    // A case number in the search box opens the case.
    await desk.fill('[data-test=q]', id)
    await desk.click('[data-test=search]')
    await desk.waitForURL(new RegExp(`/cases/${id}$`))
    await desk.goBack()
    await desk.waitForSelector(`[data-test=cases] .el-table__row:has-text("${id}")`)
  })

  await step('the case page shows the case, its log and the actions the operator may take', async () => {
    await desk.click(`[data-test=cases] .el-table__row:has-text("${id}")`)
    await desk.waitForURL(new RegExp(`/cases/${id}$`))
    await desk.waitForSelector('[data-test=state]')
    check((await desk.textContent('[data-test=state]')).includes('已上报·待受理'), 'the state')
    check(await desk.isEnabled('[data-test=action-request_verification]'), 'send for verification is enabled')
    check(await desk.isDisabled('[data-test=action-register]'), 'register (patrol only) is disabled')
    // Why, in words under the buttons (a phone has no hover).
    const why = await desk.textContent('[data-test=reason-register]')
    check(why.includes('登记') && why.length > 6, `the reason register is refused, in words: ${why}`)
    check((await desk.locator('[data-test=log] .el-timeline-item').count()) === 1, 'one log entry')
    const route = await desk.textContent('[data-test=route]')
    check(route.includes('学院南路') && !route.includes(':'), `the suggested unit by its name: ${route}`)
    // The log names who acted by name, never by account.
    const person = await desk.textContent('[data-test=log] [data-test=log-person]')
    check(person.trim() && !person.includes('anon:') && !person.includes('jumin'), `the reporter by name: ${person}`)
    // The case sheet to print: the case and its log, by names.
    await desk.click('[data-test=print]')
    await desk.waitForSelector('[data-test=print-log] tbody tr')
    check((await desk.textContent('[data-test=print-id]')).trim() === id, 'the sheet is the case\'s')
    check((await desk.textContent('[data-test=print-state]')).includes('待受理'), 'its state by name')
    await desk.screenshot({ path: join(out, 'case-sheet-1920x1080.png'), fullPage: true })
    await desk.goBack()
    await desk.waitForSelector('[data-test=state]')
  })

  await step('sending it for verification moves it on and writes the log', async () => {
    await desk.click('[data-test=action-request_verification]')
    await desk.fill('[data-test=form-opinion]', '请网格员现场核实')
    await desk.click('[data-test=form-submit]')
    await desk.waitForFunction(() => document.querySelector('[data-test=state]')?.textContent?.includes('待核实'))
    check((await desk.locator('[data-test=log] .el-timeline-item').count()) === 2, 'two log entries')
    const after = await api(base, 'GET', `/api/v1/cases/${id}`, undefined, jumin)
    check(after.state === 'pending_verification' || after.state_name === '待核实', `the server agrees: ${after.state}`)
  })

  await step('a note is added without moving the case', async () => {
    await desk.fill('[data-test=note]', '已致电居民确认位置')
    await desk.click('[data-test=add-note]')
    await desk.waitForFunction(() => document.querySelectorAll('[data-test=log] .el-timeline-item').length === 3)
    check((await desk.textContent('[data-test=log]')).includes('补充说明'), 'the note is in the log by name')
    check((await desk.textContent('[data-test=state]')).includes('待核实'), 'the state is unchanged')
    await desk.screenshot({ path: join(out, 'case-1920x1080.png'), fullPage: true })
  })

  await step('the console speaks English when asked', async () => {
    await desk.click('[data-test=language]')
    await desk.waitForFunction(() => document.body.textContent?.includes('Back to the desk'))
    check((await desk.textContent('[data-test=who]')).includes('Intake operator'), 'the role in English')
    await desk.click('[data-test=language]')
  })

  await step('a grid worker on a phone lands on their grid page with the report to verify', async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 812 }, locale: 'zh-CN', isMobile: true, hasTouch: true })
    await logIn(phone, base, 'lixin-wangge')
    await phone.waitForURL(/\/m$/)
    await phone.waitForSelector(`[data-test=task-${id}]`)
    check((await phone.textContent('[data-test=worker]')).includes('立新东楼社区'), 'their community by name')
    await phone.screenshot({ path: join(out, 'worker-375x812.png') })
    await phone.close()
  })

  /** The grid worker's phone (with GPS in their grid), on the report form: a manhole type and `words`. */
  const workerReporting = async (words) => {
    const ctx = await browser.newContext({
      viewport: { width: 375, height: 812 }, locale: 'zh-CN', isMobile: true, hasTouch: true,
      geolocation: { longitude: 118.18246, latitude: 39.49733 }, permissions: ['geolocation'],
    })
    const phone = await ctx.newPage()
    const photo = join(work, 'photo.png')
    writeFileSync(photo, PNG)
    await logIn(phone, base, 'lixin-wangge')
    await phone.waitForURL(/\/m$/)
    await phone.click('[data-test=worker-tabs] >> text=上报')
    await phone.click('[data-test=report-type]')
    await phone.keyboard.type('井盖')
    await phone.click('.el-select-dropdown__item:visible >> nth=0')
    await phone.fill('[data-test=report-description]', words)
    return { ctx, phone, photo }
  }

  await step('a grid worker reports from the phone with a camera photo and GPS', async () => {
    const { ctx, phone, photo } = await workerReporting('人行道井盖破损，有塌陷危险')
    await phone.setInputFiles('[data-test=report-photo]', photo)
    await phone.click('[data-test=report-gps]')
    await phone.waitForFunction(() => document.querySelector('[data-test=report-place]')?.textContent?.includes('立新东楼社区'))
    await phone.waitForFunction(() => !document.body.textContent?.includes('上传中'))
    await phone.click('[data-test=report-submit]')
    await phone.waitForSelector('[data-test=worker-reported]')
    const text = await phone.textContent('[data-test=worker-reported]')
    check(text.includes('立新东楼社区第1网格') && !text.includes('130202001001001'), `reported in the grid, by its name: ${text}`)
    await phone.screenshot({ path: join(out, 'worker-report-375x812.png') })
    await ctx.close()
  })

  await step('without signal, a grid worker\'s report waits on the phone and goes out, once, when the network is back', async () => {
    const words = `地下通道井盖缺失（无信号处上报 ${Date.now()}）`
    const { ctx, phone, photo } = await workerReporting(words)
    await ctx.setOffline(true)
    await phone.setInputFiles('[data-test=report-photo]', photo)
    await phone.click('[data-test=report-gps]')
    await phone.waitForFunction(() => document.querySelector('[data-test=report-place]')?.textContent?.includes('联网后'))
    await phone.waitForFunction(() => document.body.textContent?.includes('联网后上传'))
    await phone.click('[data-test=report-submit]')
    await phone.waitForSelector('[data-test=outbox]')
    check((await phone.textContent('[data-test=outbox]')).includes(words), 'the outbox shows the report')
    await phone.screenshot({ path: join(out, 'worker-outbox-375x812.png') })
    await ctx.setOffline(false)
    await phone.waitForSelector('[data-test=outbox]', { state: 'detached', timeout: 45_000 })
    // On the server once, with its photo, in the grid the phone was in.
    const token = await phone.evaluate(() => sessionStorage.getItem('shanzhi.token'))
    const list = await api(base, 'GET', '/api/v1/cases?page_size=100', null, token)
    const mine = list.items.filter((c) => c.description === words)
    check(mine.length === 1, `reported once: ${mine.length}`)
    check(mine[0].grid === '130202001001001', `in the phone's grid: ${mine[0].grid}`)
    const detail = await api(base, 'GET', `/api/v1/cases/${mine[0].id}`, null, token)
    check(detail.log[0].attachments.length === 1, `with its photo: ${JSON.stringify(detail.log[0].attachments)}`)
    await ctx.close()
  })

  await step('the shift supervisor lands on the command centre: the figures, the map and live updates', async () => {
    const cc = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' })
    await logIn(cc, base, 'zhiban')
    await cc.waitForURL(/\/command$/)
    await cc.waitForSelector('[data-test=children] .el-table__row')
    const zhiban = (await api(base, 'POST', '/api/v1/auth/login', { username: 'zhiban', password: PASSWORD })).token
    const o = await api(base, 'GET', '/api/v1/overview', undefined, zhiban)
    const shown = async (k) => Number((await cc.textContent(`[data-test=count-${k}] .value`)).trim())
    check((await shown('open')) === o.area.open && o.area.open >= 1, `open cases as the server counts them: ${o.area.open}`)
    await cc.waitForSelector('[data-test=map] canvas')
    await cc.waitForFunction(() => document.querySelectorAll('.area-label').length >= 14)
    check((await cc.textContent('[data-test=map]')).includes('路南区'), 'the counties are named on the map')
    await cc.waitForFunction(() => document.querySelector('[data-test=live]')?.textContent?.includes('实时'))
    // A report arrives: the feed shows it and today's count goes up without a reload.
    const before = await shown('today')
    const fresh = await api(base, 'POST', '/api/v1/cases', {
      kind: 'event', type: '0602', description: '小区门口垃圾满溢', lon: 118.18246, lat: 39.49733, channel: 'resident_web',
    }, jumin)
    await cc.waitForFunction((n) => Number(document.querySelector('[data-test=count-today] .value')?.textContent) === n, before + 1, { timeout: 15_000 })
    // The feed speaks in names: the new report under its county, by its type, not its numbers.
    await cc.waitForSelector(`[data-test=event] a[href$="/cases/${fresh.id}"]`)
    const ev = cc.locator('[data-test=event]', { has: cc.locator(`a[href$="/cases/${fresh.id}"]`) }).first()
    check((await ev.locator('[data-test=event-subject]').textContent()).includes('路南区'), 'the event is grouped under its county by name')
    check((await ev.textContent()).includes('新案件') && (await ev.textContent()).includes('暴露垃圾'), `the event says what and which type: ${await ev.textContent()}`)
    check(!/\d{6,}/.test(await ev.textContent()), `no code in the feed: ${await ev.textContent()}`)
    await cc.screenshot({ path: join(out, 'command-1920x1080.png') })

    // Down the tree by the table: county → street → community, the breadcrumb following.
    for (const [name, code] of [['路南区', '130202'], ['学院南路街道', '130202001'], ['立新东楼社区', '130202001001']]) {
      await cc.click(`[data-test=children] a.drill:text-is("${name}")`)
      await cc.waitForURL(new RegExp(`area=${code}$`))
      await cc.waitForFunction((n) => document.querySelector('[data-test=crumbs]')?.textContent?.includes(n), name)
    }
    const grids = await cc.locator('[data-test=children] .el-table__row').count()
    check(grids >= 1, `a community's children are its grids: ${grids}`)
    // The community's open count opens exactly those cases on the desk.
    const open = await shown('open')
    await cc.click('[data-test=count-open]')
    await cc.waitForURL(/\/cases\?/)
    await cc.waitForFunction((n) => document.querySelector('[data-test=total]')?.textContent?.includes(`共 ${n} 件`), open)
    check((await cc.textContent('[data-test=cases]')).includes(fresh.id), 'the new report is among them')
    check((await cc.textContent('[data-test=extra]')).includes('未结案'), 'the filter the figure carried is shown')

    // One kind at a time: the counters narrow to events, as the server counts them.
    await cc.goto(`${base}/command?area=130202001001`)
    await cc.click('[data-test=kind-event]')
    await cc.waitForURL(/kind=event/)
    const events = await api(base, 'GET', '/api/v1/overview?area=130202001001&kind=event', undefined, zhiban)
    await cc.waitForFunction((n) => document.querySelector('[data-test=count-open] .value')?.textContent?.trim() === String(n), events.area.open)

    // And by the map: clicking in the middle of 路南区's map picks one of its streets.
    await cc.goto(`${base}/command?area=130202`)
    await cc.waitForFunction(() => document.querySelectorAll('.area-label').length >= 2)
    const box = await cc.locator('[data-test=map]').boundingBox()
    await cc.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
    await cc.waitForURL(/area=130202\d{3}$/)
    await cc.close()
  })

  await step('the whole loop in the browser: verified, filed, dispatched, handled, re-checked, closed; the dashboard counts it', async () => {
    const photo = join(work, 'photo.png')
    writeFileSync(photo, PNG)
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' })
    const phone = await browser.newPage({ viewport: { width: 375, height: 812 }, locale: 'zh-CN', isMobile: true, hasTouch: true })
    // The community's closed figure before.
    const closedShown = async () => {
      await page.goto(`${base}/dashboards?area=130202001001`)
      await page.waitForSelector('[data-test=dash-closed]')
      await page.waitForFunction(() => /\d/.test(document.querySelector('[data-test=dash-closed]')?.textContent ?? ''))
      return Number((await page.textContent('[data-test=dash-closed]')).trim())
    }
    await logIn(page, base, 'zhiban')
    await page.waitForURL(/\/command$/)
    const before = await closedShown()

    /** `user` takes `action` on the case in the console, with what it needs, and sees `state`. */
    const act = async (p, user, action, state, { opinion, unit, reply } = {}) => {
      await logIn(p, base, user)
      await p.waitForURL((u) => !u.pathname.startsWith('/login'))
      await p.goto(`${base}/cases/${id}`)
      await p.waitForSelector(`[data-test=action-${action}]:not([disabled])`)
      await p.click(`[data-test=action-${action}]`)
      if (unit) {
        await p.click('[data-test=form-unit]')
        await p.click(`.el-select-dropdown__item:visible:has-text("${unit}")`)
      }
      if ((await p.locator('[data-test=form-files]').count()) > 0) await p.setInputFiles('[data-test=form-files]', photo)
      if (opinion) await p.fill('[data-test=form-opinion]', opinion)
      if (reply) await p.click('[data-test=form-public]')
      await p.click('[data-test=form-submit]')
      await p.waitForFunction((s) => document.querySelector('[data-test=state]')?.textContent?.includes(s), state)
    }
    await act(phone, 'lixin-wangge', 'confirm', '待立案', { opinion: '现场核实属实' })
    await act(page, 'zhiban', 'file', '已立案·待派遣')
    await act(page, 'paiqian', 'dispatch', '已派遣·处置中', { unit: '路南区城市管理综合行政执法局', opinion: '请尽快处置' })
    check((await page.textContent('[data-test=unit]')).includes('路南区城市管理综合行政执法局'), 'the unit by its name')
    await act(page, 'lunan-chengguan', 'feedback', '已处置·待核查', { opinion: '已更换灯泡', reply: true })
    // A public reply is marked in the log, and reaches the public feed; the dispatcher's note does not.
    await page.waitForSelector('[data-test=public-tag]')
    const feed = await (await fetch(`${base}/open311/v2/requests/${id}.json?extensions=true`)).text()
    check(feed.includes('已更换灯泡') && !feed.includes('请尽快处置'), `only the public reply is public: ${feed.slice(0, 300)}`)
    await phone.screenshot({ path: join(out, 'worker-recheck-375x812.png') })
    // The re-check is made without signal: it waits on the phone, the case offers nothing else
    // meanwhile, and it goes out, once, with its photo, when the network is back.
    await logIn(phone, base, 'lixin-wangge')
    await phone.waitForURL((u) => !u.pathname.startsWith('/login'))
    await phone.goto(`${base}/cases/${id}`)
    await phone.waitForSelector('[data-test=action-check_pass]:not([disabled])')
    await phone.click('[data-test=action-check_pass]')
    await phone.setInputFiles('[data-test=form-files]', photo)
    await phone.fill('[data-test=form-opinion]', '复核已修复')
    await phone.context().setOffline(true)
    await phone.click('[data-test=form-submit]')
    await phone.waitForSelector('[data-test=action-waiting]')
    check((await phone.textContent('[data-test=outbox]')).includes(`${id} · 核查通过`), 'the outbox shows the action')
    check(await phone.locator('[data-test=action-check_pass]').isDisabled(), 'no second action while one waits')
    await phone.waitForSelector('.el-dialog', { state: 'hidden' })
    await phone.evaluate(() => window.scrollTo(0, 0))
    // A note written meanwhile waits too, and goes out after the action.
    await phone.fill('[data-test=note]', '已拍照留存，路面已清理')
    await phone.click('[data-test=add-note]')
    await phone.waitForFunction(() => document.querySelector('[data-test=outbox]')?.textContent?.includes('补充说明'))
    await phone.evaluate(() => window.scrollTo(0, 0))
    await phone.screenshot({ path: join(out, 'worker-action-outbox-375x812.png') })
    await phone.context().setOffline(false)
    await phone.waitForSelector('[data-test=outbox]', { state: 'detached', timeout: 45_000 })
    await phone.waitForFunction(() => document.querySelector('[data-test=state]')?.textContent?.includes('核查通过·待结案'))
    const rechecks = (await api(base, 'GET', `/api/v1/cases/${id}`, null, await phone.evaluate(() => sessionStorage.getItem('shanzhi.token')))).log.filter((e) => e.action === 'check_pass')
    check(rechecks.length === 1 && rechecks[0].attachments.length === 1, `re-checked once, with its photo: ${JSON.stringify(rechecks)}`)
    await phone.waitForFunction(() => document.querySelector('[data-test=log]')?.textContent?.includes('已拍照留存'))
    const entries = (await api(base, 'GET', `/api/v1/cases/${id}`, null, await phone.evaluate(() => sessionStorage.getItem('shanzhi.token')))).log
    const notes = entries.filter((e) => e.opinion === '已拍照留存，路面已清理')
    const at = (e) => entries.indexOf(e)
    check(notes.length === 1 && at(notes[0]) > at(entries.find((e) => e.action === 'check_pass')), `the note once, after the re-check: ${JSON.stringify(notes)}`)
    await phone.screenshot({ path: join(out, 'worker-case-375x812.png'), fullPage: true })
    await act(page, 'zhiban', 'close', '已结案')
    // The photos of the steps are on the case page, as thumbnails fetched with the login; so is
    // the grid on the map.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-test=photos] img')].filter((i) => i.naturalWidth > 0).length >= 3)
    await page.waitForSelector('[data-test=map] canvas')
    const log = await page.locator('[data-test=log] .el-timeline-item').count()
    check(log >= 9, `every step is in the log: ${log}`)

    // The dashboard's figure moves, and opens the case behind it.
    let after = before
    for (let i = 0; i < 10 && after === before; i += 1) after = await closedShown()
    check(after === before + 1, `closed ${before} → ${after}`)
    await page.screenshot({ path: join(out, 'dashboard-1920x1080.png'), fullPage: true })
    await page.click('[data-test=dash-closed]')
    await page.waitForURL(/\/cases\?/)
    await page.waitForSelector(`[data-test=cases] .el-table__row >> text=${id}`)
    // A rate shows the counts it is computed from, and each count opens its cases.
    await page.goto(`${base}/dashboards?area=130202001001`)
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-test=dash-on_time_closing]')?.textContent ?? ''))
    await page.click('[data-test=dash-on_time_closing]')
    await page.click('[data-test=part-closed_on_time]:visible')
    await page.waitForURL(/figure=closed_on_time/)
    await page.waitForSelector(`[data-test=cases] .el-table__row >> text=${id}`)
    check((await page.textContent('body')).includes('统计口径：按期结案'), 'the list says which figure it shows')
    // The composite score shows its weighted parts, and each part's counts open their cases.
    await page.goto(`${base}/dashboards?area=130202001001`)
    await page.waitForSelector('[data-test=dash-score]')
    await page.click('[data-test=dash-score]')
    await page.waitForSelector('[data-test=score-part-closing]:visible')
    check((await page.textContent('[data-test=score-part-closing]:visible')).includes('结案率分值'), 'the part by its name')
    await page.click('[data-test=score-count-closing-closed]:visible')
    await page.waitForURL(/figure=closed(&|$)/)
    await page.waitForSelector(`[data-test=cases] .el-table__row >> text=${id}`)
    // A department's score opens the same way: picked by name under its chart.
    await page.goto(`${base}/dashboards?area=130202001001`)
    // The departments are found by name (a city has thousands of units: the picker asks the server).
    await page.click('[data-test=dash-unit-pick]')
    await page.keyboard.type('城市管理')
    await page.click('.dash-unit-options li >> text=路南区城市管理综合行政执法局')
    await page.screenshot({ path: join(out, 'dashboard-unit-1920x1080.png'), fullPage: true })
    // The departments' figures export as a workbook with Chinese headers, the department by name.
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=dash-export-unit]')])
    const saved = join(work, 'units.xlsx')
    await xlsx.saveAs(saved)
    const strings = execFileSync('python3', ['-c', 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read("xl/sharedStrings.xml").decode())', saved]).toString()
    check(strings.includes('路南区城市管理综合行政执法局') && strings.includes('按期结案率'), `the departments' workbook: ${strings.slice(0, 300)}`)
    await page.click('[data-test=dash-unit-score]')
    await page.click('[data-test=score-count-closing-closed]:visible')
    await page.waitForURL(/figure=closed(&|$)/)
    check(new URL(page.url()).searchParams.get('figure_unit') === '130202:urban-management', `under the unit: ${page.url()}`)
    await page.waitForSelector(`[data-test=cases] .el-table__row >> text=${id}`)
    await page.close()
    await phone.close()
  })

  await step('a resident on a 390 px phone taps an everyday problem, reports, gets a short code, follows the case by typing it and rates it once it is closed', async () => {
    const ctx = await browser.newContext({
      viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true,
    })
    const phone = await ctx.newPage()
    const photo = join(work, 'photo.png')
    const fits = async (page, what) => {
      const wide = await page.evaluate(() => document.documentElement.scrollWidth)
      check(wide <= 390, `${what} fits 390 px: ${wide} px wide`)
    }
    await phone.goto(`${base}/login`)
    await phone.click('[data-test=to-report]')
    await phone.waitForURL(/\/report$/)
    // The everyday problems come first, as tiles; the catalogue waits behind "其他问题".
    await phone.waitForSelector('[data-test=everyday-rubbish]')
    check(!(await phone.isVisible('[data-test=report-type]')), 'the catalogue is not the first thing shown')
    await fits(phone, 'the report page')
    await phone.screenshot({ path: join(out, 'resident-report-390x844.png') })
    await phone.click('[data-test=everyday-rubbish]')
    await phone.waitForSelector('[data-test=everyday-chosen] >> text=垃圾没清运')
    await phone.fill('[data-test=report-description]', '楼后垃圾桶满了三天没人清运')
    await phone.fill('[data-test=report-phone]', '13912345678')
    await phone.setInputFiles('[data-test=report-photo]', photo)
    // No GPS here: the community is found by name.
    await phone.fill('[data-test=report-place-search]', '立新东楼')
    await phone.click('[data-test=report-place-hits] button:has-text("立新东楼社区")')
    await phone.waitForFunction(() => document.querySelector('[data-test=report-place]')?.textContent?.includes('立新东楼社区'))
    await phone.waitForFunction(() => !document.body.textContent?.includes('上传中'))
    await phone.click('[data-test=report-submit]')
    await phone.waitForSelector('[data-test=resident-short-code]')
    const code = (await phone.textContent('[data-test=resident-short-code]')).trim()
    check(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/.test(code), `a short code: ${code}`)
    const number = (await phone.textContent('[data-test=resident-number]')).trim()
    await fits(phone, 'the thank-you page')
    await phone.screenshot({ path: join(out, 'resident-390x844.png') })
    // The city sees it with the phone masked, as the tile's type.
    const shouli = (await api(base, 'POST', '/api/v1/auth/login', { username: 'shouli', password: PASSWORD })).token
    const seen = await api(base, 'GET', `/api/v1/cases/${number}`, undefined, shouli)
    check(seen.description.includes('139****5678') && seen.channel === 'resident_web', `masked for the operator: ${seen.description}`)
    check(seen.type === '0619' && seen.community === '130202001001', `reported as 垃圾满溢 in the community: ${seen.type} ${seen.community}`)
    // A hotline number is not a code: the page says what each is.
    await phone.fill('[data-test=resident-lookup]', '12345')
    await phone.click('[data-test=resident-go]')
    await phone.waitForSelector('[data-test=resident-lookup-error] >> text=热线')
    // The code typed as people type it (small letters, a space for the dash) opens the tracking page.
    await phone.fill('[data-test=resident-lookup]', `${code.slice(0, 4).toLowerCase()} ${code.slice(5).toLowerCase()}`)
    await phone.click('[data-test=resident-go]')
    await phone.waitForURL(new RegExp(`/f/${code}$`))
    const routed = (await api(base, 'GET', `/api/v1/follow/${code}`)).route_unit_name
    check(routed && routed.includes('街道'), `going to the street office: ${routed}`)
    await phone.waitForFunction((u) => document.querySelector('[data-test=follow-unit]')?.textContent?.includes(u), routed)
    await phone.waitForFunction(() => document.querySelector('[data-test=follow-state]')?.textContent?.includes('待受理'))
    check((await phone.textContent('[data-test=follow-type]')).includes('垃圾满溢'), 'the type by name')
    check((await phone.textContent('[data-test=follow-place]')).includes('立新东楼社区'), 'the place by name')
    check(await phone.isVisible('[data-test=follow-deadline]'), 'the deadline of the step')
    await phone.waitForFunction(() => {
      const img = document.querySelector('[data-test=follow-photo] img')
      return img && img.complete && img.naturalWidth > 0
    })
    await fits(phone, 'the tracking page')
    await phone.screenshot({ path: join(out, 'resident-follow-390x844.png'), fullPage: true })
    // The city works it through the API, to closed.
    const as = async (user) => (await api(base, 'POST', '/api/v1/auth/login', { username: user, password: PASSWORD })).token
    const evidence = ['https://evidence.example.org/1.jpg']
    for (const [user, body] of [
      ['shouli', { action: 'request_verification' }],
      ['lixin-wangge', { action: 'confirm', attachments: evidence }],
      ['zhiban', { action: 'file' }],
      ['paiqian', { action: 'dispatch' }],
      ['xueyuan-jiedao', { action: 'feedback', opinion: '已清运', public: true, attachments: evidence }],
      ['lixin-wangge', { action: 'check_pass', attachments: evidence }],
      ['zhiban', { action: 'close' }],
    ]) await api(base, 'POST', `/api/v1/cases/${number}/actions`, body, await as(user))
    await phone.reload()
    await phone.waitForFunction(() => document.querySelector('[data-test=follow-state]')?.textContent?.includes('已结案'))
    const unit = (await phone.textContent('[data-test=follow-unit]')).trim()
    check(unit.includes('学院南路街道'), `the unit that handled it, by name: ${unit}`)
    const steps = await phone.textContent('[data-test=follow-steps]')
    check(steps.includes('已清运') && !steps.includes('lixin') && !steps.includes('xueyuan'), `the public reply, no staff names: ${steps}`)
    await phone.click('[data-test=follow-rate-basically_satisfied]')
    await phone.click('[data-test=follow-submit]')
    await phone.waitForSelector('[data-test=follow-rated], [data-test=follow-error]')
    check(await phone.isVisible('[data-test=follow-rated]'), `rated: ${await phone.textContent('[data-test=follow]')}`)
    const after = await api(base, 'GET', `/api/v1/cases/${number}`, undefined, shouli)
    check(after.state === 'closed' && after.rating?.satisfaction === 'basically_satisfied', `still closed, rated: ${JSON.stringify(after.rating)}`)
    await phone.screenshot({ path: join(out, 'resident-follow-rated-390x844.png'), fullPage: true })
    // This phone's own list shows the report with its short code.
    await phone.goto(`${base}/report`)
    await phone.waitForSelector(`[data-test=mine-${number}] >> text=${code}`)
    // Someone else, without the code, sees only the public status by the case number.
    const other = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' })
    await other.goto(`${base}/track/${number}`)
    await other.waitForSelector('text=已办结')
    const shown = await other.textContent('body')
    check(!shown.includes('13912345678') && shown.includes('139****5678'), `the phone masked in public: ${shown}`)
    await other.close()
    await ctx.close()
  })
  await step('the administrator creates an account, disables it, widens another\'s data scope, gives a role an action, checks a grid file, changes the calendar, reads the audit log and rebuilds the search index', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' })
    await logIn(page, base, 'admin')
    await page.waitForURL(/\/command$/)
    await page.click('[data-test=nav-admin]')
    await page.waitForSelector('[data-test=users] .el-table__row')
    // A new grid worker for 新谊社区, the unit chosen by name among the units a grid worker may belong to.
    await page.click('[data-test=user-new]')
    await page.fill('[data-test=user-username]', 'linfeng')
    await page.fill('[data-test=user-display-name]', '新谊社区网格员 林峰')
    await page.click('[data-test=user-role]')
    await page.click('.user-role-options li >> text="网格员"')
    await page.click('[data-test=user-unit]')
    await page.keyboard.type('新谊')
    await page.click('.user-unit-options li >> text=新谊社区居民委员会')
    await page.fill('[data-test=user-password]', 'Lin-Feng-2026')
    await page.click('[data-test=user-save]')
    await page.waitForSelector('[data-test=users] >> text=linfeng')
    await page.screenshot({ path: join(out, 'admin-users-1920x1080.png') })
    // They log in and land on their phone page.
    const phone = await browser.newPage({ viewport: { width: 375, height: 812 }, locale: 'zh-CN' })
    await logIn(phone, base, 'linfeng', 'Lin-Feng-2026')
    await phone.waitForURL(/\/m$/)
    await phone.close()
    // Disabled, they can no longer log in.
    await page.click('[data-test=user-toggle-linfeng]')
    await page.click('.el-message-box__btns .el-button--primary')
    await page.waitForSelector('[data-test=users] .el-table__row:has-text("linfeng") >> text=已停用')
    const refused = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'linfeng', password: 'Lin-Feng-2026' }) })
    check(refused.status === 401, `a disabled account logs in: ${refused.status}`)

    // 乔屯街道's staff also cover 学院南路街道 (another district) for a while: the extra data scope
    // is chosen by name and is in force at once, for the login they already have.
    const qiaotun = (await api(base, 'POST', '/api/v1/auth/login', { username: 'qiaotun-jiedao', password: PASSWORD })).token
    const adminToken = (await api(base, 'POST', '/api/v1/auth/login', { username: 'admin', password: PASSWORD })).token
    const outside = (await api(base, 'GET', '/api/v1/cases?area=130202001', undefined, qiaotun)).total
    await page.fill('[data-test=user-find]', 'qiaotun-jiedao')
    await page.keyboard.press('Enter')
    await page.click('[data-test=user-edit-qiaotun-jiedao]')
    await page.click('[data-test=user-extra]')
    await page.keyboard.type('学院南路')
    await page.click('.user-extra-options li >> text=路南区学院南路街道')
    await page.click('.el-dialog__header:visible') // a multiple choice stays open until one clicks beside it
    await page.click('[data-test=user-save]')
    await page.waitForSelector('[data-test=user-extra-qiaotun-jiedao] >> text=路南区学院南路街道')
    const inside = (await api(base, 'GET', '/api/v1/cases?area=130202001', undefined, qiaotun)).total
    check(outside === 0 && inside > 0, `the other street's cases: ${outside} before, ${inside} after`)
    await page.screenshot({ path: join(out, 'admin-user-scope-1920x1080.png') })

    // Roles: each one's data scope in words.
    await page.click('#tab-roles')
    await page.waitForSelector('[data-test=roles] >> text=派给或吹哨到本单位的案件')
    // The dispatcher is also let register reports: a new version of the event workflow, in force at once.
    await page.click('[data-test=role-edit-dispatcher]')
    await page.click('[data-test=role-actions-kind] >> text=城市管理事件')
    await page.click('[data-test=role-action-register]')
    const wfVersion = await page.inputValue('[data-test=role-actions-version]')
    await page.screenshot({ path: join(out, 'admin-role-actions-1920x1080.png') })
    await page.click('[data-test=role-actions-save]')
    await page.waitForSelector('[data-test=role-actions-dispatcher] >> text=案件登记')
    const wfs = await api(base, 'GET', '/api/v1/admin/workflows', undefined, adminToken)
    const ev = wfs.find((w) => w.kind === 'event')
    check(ev.version === wfVersion && ev.actions.find((a) => a.key === 'register').roles.includes('dispatcher'), `in force: ${ev.version}`)

    // Grids: a file with a bow-tie ring is checked, its problem listed, and nothing imported.
    await page.click('#tab-grids')
    await page.waitForSelector('[data-test=grid-children] .el-table__row')
    const bad = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: '130202001001001', name: '错误网格' },
      geometry: { type: 'Polygon', coordinates: [[[118.180, 39.495], [118.185, 39.500], [118.185, 39.495], [118.180, 39.500], [118.180, 39.495]]] } }] }
    await page.setInputFiles('[data-test=grids-file]', { name: 'grids.geojson', mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(bad)) })
    await page.waitForSelector('[data-test=grids-problems] >> text=自相交')
    check((await page.textContent('[data-test=grids-problems]')).includes('第 1 个多边形无效：外环自相交'), 'the problem said in Chinese')
    await page.screenshot({ path: join(out, 'admin-grids-1920x1080.png') })

    // Taxonomy with its time limits, and the calendar with National Day as a holiday.
    await page.click('#tab-taxonomy')
    await page.waitForSelector('[data-test=taxonomy] >> text=个工作日')
    // A type's time limit is changed in the page: a new version of the catalogue, in force at once.
    await page.fill('[data-test=taxonomy-find]', '0602')
    await page.click('[data-test=edit-type-0602]')
    await page.fill('[data-test=type-limit] input', '9')
    await page.click('[data-test=type-limit-unit]')
    await page.click('.el-select-dropdown__item:visible >> text=工作小时')
    const version = await page.inputValue('[data-test=type-version]')
    await page.click('[data-test=type-save]')
    await page.waitForFunction((v) => document.querySelector('[data-test=taxonomy-version]')?.textContent?.includes(v), version)
    check((await page.textContent('[data-test=taxonomy] .el-table__row:has-text("0602")')).includes('9 工作小时'), 'the new limit is shown')
    const tax = await api(base, 'GET', '/api/v1/taxonomy')
    const t0602 = tax.categories.flatMap((c) => c.types).find((ty) => ty.code === '0602')
    check(tax.version === version && t0602.limit.value === 9 && t0602.limit.unit === 'working_hours', `in force: ${tax.version} ${JSON.stringify(t0602.limit)}`)
    await page.click('#tab-calendar')
    await page.click('[data-test=calendar-year]')
    await page.click('.calendar-years li >> text="2026"')
    await page.waitForSelector('[data-date="2026-10-01"].rest')
    // Saturday 10 October 2026 is worked instead (调休上班).
    await page.waitForSelector('[data-date="2026-10-10"].work')
    await page.screenshot({ path: join(out, 'admin-calendar-1920x1080.png'), fullPage: true })
    // The State Council's notice is out: the provisional 2027 Spring Festival is confirmed in the page.
    const cal = await api(base, 'GET', '/api/v1/calendar')
    const spring = cal.holidays.find((h) => h.name_zh === '春节' && h.provisional)
    await page.click('[data-test=calendar-year]')
    await page.click('.calendar-years li >> text="2027"')
    await page.click(`[data-test=holiday-edit-${spring.days[0]}]`)
    await page.click('[data-test=holiday-provisional]')
    const calVersion = await page.inputValue('[data-test=holiday-version]')
    await page.click('[data-test=holiday-save]')
    await page.waitForFunction((v) => document.querySelector('[data-test=calendar-version]')?.textContent?.includes(v), calVersion)
    const confirmed = (await api(base, 'GET', '/api/v1/calendar')).holidays.find((h) => h.days[0] === spring.days[0])
    check(confirmed && !confirmed.provisional && confirmed.days.length === spring.days.length, `confirmed: ${JSON.stringify(confirmed)}`)
    // The calendar is opened to 2028, so that next year's holidays can be entered.
    await page.click('[data-test=hours-open]')
    const end = page.locator('[data-test=hours-edit] .el-range-input').nth(1)
    await end.fill('2028-12-31')
    await end.press('Enter')
    const hoursVersion = await page.inputValue('[data-test=hours-version]')
    check(!/-\d{8}-\d{6}-\d{8}-\d{6}$/.test(hoursVersion), `a version made in the page does not grow: ${hoursVersion}`)
    await page.click('[data-test=hours-save]')
    await page.waitForFunction((v) => document.querySelector('[data-test=calendar-version]')?.textContent?.includes(v), hoursVersion)
    const opened = await api(base, 'GET', '/api/v1/calendar')
    check(opened.valid_to === '2028-12-31' && opened.holidays.length === cal.holidays.length, `opened to ${opened.valid_to}`)

    // The audit log: the new account's creation under the administrator's name; the chain holds.
    await page.click('#tab-audit')
    await page.fill('[data-test=audit-action]', 'user.create')
    await page.click('[data-test=audit-search]')
    await page.waitForSelector('[data-test=audit] .el-table__row >> text=linfeng')
    const audited = page.locator('[data-test=audit] .el-table__row:has-text("linfeng")').first()
    check((await audited.locator('[data-test=audit-action-name]').textContent()).trim() === '新建用户', 'the action by name')
    check((await audited.locator('[data-test=audit-actor-name]').textContent()).trim() === '系统管理员', 'the administrator by name, not user name')
    await page.click('[data-test=audit-verify]')
    await page.waitForSelector('[data-test=audit-check].ok')
    check((await page.textContent('[data-test=audit-check]')).includes('哈希链完整'), 'the chain is intact')
    // The full-text index is rebuilt while the server serves, and searches find again.
    await page.click('#tab-search')
    await page.click('[data-test=search-reindex]')
    await page.click('.el-message-box__btns .el-button--primary')
    await page.waitForSelector('[data-test=search-last]', { timeout: 60_000 })
    const last = await page.textContent('[data-test=search-last]')
    check(last.includes('完成') && !(await page.locator('[data-test=search-last].err').count()), `the rebuild ended well: ${last}`)
    const found = await api(base, 'GET', `/api/v1/cases?q=${encodeURIComponent(words)}`, undefined, adminToken)
    check(found.items.some((c) => c.id === id), `found again after the rebuild: ${found.total}`)
    await page.close()
  })

  await step('a city adds a kind of work as a file in the admin page: a street-stall permit is applied for, worked to its end, and counted on the dashboard', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' })
    await logIn(page, base, 'admin')
    await page.waitForURL(/\/command$/)
    await page.click('[data-test=nav-admin]')
    await page.click('#tab-reference')
    await page.click('[data-test=reference-kind]')
    await page.click('.el-select-dropdown__item:visible >> text="流程"')
    await page.setInputFiles('[data-test=import-workflow]', join(here, '../../data/workflows/examples/stall-permit.toml'))
    await page.click('[data-test=import-workflow-confirm]')
    await page.waitForSelector('[data-test=reference] >> text=stall-permit-2026.2')
    // A shop applies on the resident page, without an account: the new kind is offered by its
    // name, with its own fields (the applicant, the goods, the area, the hours).
    const ctx = await browser.newContext({ viewport: { width: 375, height: 812 }, locale: 'zh-CN', isMobile: true, hasTouch: true })
    const phone = await ctx.newPage()
    await phone.goto(`${base}/report`)
    // Not an everyday problem: "其他问题" opens every kind and the whole catalogue.
    await phone.click('[data-test=everyday-other]')
    await phone.click('[data-test=report-kind]')
    await phone.click('.report-kind-options li >> text=占道经营许可申请')
    await phone.waitForSelector('[data-test=field-applicant-name]')
    await phone.click('[data-test=report-type]')
    await phone.keyboard.type('占道经营')
    await phone.click('.el-select-dropdown__item:visible >> text="占道经营"')
    await phone.fill('[data-test=report-description]', '申请在小区东门外设早市菜摊')
    await phone.fill('[data-test=field-applicant-name]', '赵六')
    await phone.fill('[data-test=field-applicant-phone]', '13900001111')
    await phone.click('[data-test=field-goods-input]')
    await phone.click('.field-goods-options li >> text=果蔬')
    await phone.fill('[data-test=field-area_m2-input] input', '4')
    await phone.press('[data-test=field-area_m2-input] input', 'Tab')
    // The hours are left out first: the server names the missing field, shown under it.
    await pickOnMap(phone)
    await phone.click('[data-test=report-submit]')
    await phone.waitForFunction(() => document.querySelector('[data-test=field-hours]')?.textContent?.includes('必填'))
    await phone.fill('[data-test=field-hours-input]', '每日 6:00–9:00')
    await phone.click('[data-test=report-submit]')
    await phone.waitForSelector('[data-test=resident-number]')
    const permitId = (await phone.textContent('[data-test=resident-number]')).trim()
    await phone.screenshot({ path: join(out, 'resident-new-kind-375x812.png'), fullPage: true })
    await ctx.close()
    const permit = await api(base, 'GET', `/api/v1/cases/${permitId}`, undefined, (await api(base, 'POST', '/api/v1/auth/login', { username: 'shouli', password: PASSWORD })).token)
    check(permit.kind === 'stall_permit' && permit.state === 'applied', `applied: ${permit.kind} ${permit.state}`)
    check(permit.fields.applicant.phone === '139****1111' && permit.fields.goods === 'produce' && permit.fields.area_m2 === 4, `its fields, masked: ${JSON.stringify(permit.fields)}`)
    // The street office accepts it and sends urban management to survey, who report (over the API);
    // the street office grants the permit in the console, giving the permit number it asks for.
    for (const [user, body] of [
      ['xueyuan-jiedao', { action: 'accept', units: { primary: '130202:urban-management', assisting: [] } }],
      ['lunan-chengguan', { action: 'record_survey', opinion: '现场勘查：人行道宽4米，可设摊', attachments: ['https://evidence.example.org/survey.jpg'] }],
    ]) {
      const token = (await api(base, 'POST', '/api/v1/auth/login', { username: user, password: PASSWORD })).token
      await api(base, 'POST', `/api/v1/cases/${permitId}/actions`, body, token)
    }
    await logIn(page, base, 'xueyuan-jiedao')
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await page.goto(`${base}/cases/${permitId}`)
    await page.waitForSelector('[data-test=case-field-goods]')
    check((await page.textContent('[data-test=case-field-goods]')).includes('果蔬'), 'the goods by name')
    check((await page.textContent('[data-test=case-field-applicant]')).includes('139****1111'), 'the applicant masked')
    await page.click('[data-test=action-grant]')
    await page.fill('[data-test=field-permit_no-input]', '路南占许〔2026〕0001')
    await page.fill('[data-test=form-opinion]', '准予许可，限早市时段')
    await page.click('[data-test=form-submit]')
    await page.waitForFunction(() => document.querySelector('[data-test=state]')?.textContent?.includes('准予许可'))
    await page.waitForSelector('[data-test=case-field-permit_no]')
    await page.screenshot({ path: join(out, 'case-new-kind-1920x1080.png'), fullPage: true })
    // The desk offers the kind and its states by name.
    await page.goto(`${base}/cases`)
    await page.click('[data-test=desk-kind]')
    await page.click('.desk-kind-options li >> text=占道经营许可申请')
    await page.click('[data-test=desk-state]')
    await page.click('.desk-state-options li >> text=准予许可')
    await page.click('[data-test=search]')
    await page.waitForSelector(`.el-table__row >> text=${permitId}`)
    check((await page.locator('.el-table__row').count()) === 1, 'only the granted permit')
    // The kind's own fields filter the desk too: by the goods (the permit's are 果蔬, not 小吃),
    // and by the area taken (4 m²), as the list's request says.
    await page.click('[data-test=filter-goods-input]')
    await page.click('.filter-goods-options li >> text=小吃')
    await page.click('[data-test=search]')
    await page.waitForFunction(() => document.querySelector('[data-test=total]')?.textContent?.includes('共 0 件'))
    await page.click('[data-test=filter-goods-input]')
    await page.click('.filter-goods-options li >> text=果蔬')
    await page.fill('input[data-test=filter-area_m2-from]', '3')
    await page.fill('input[data-test=filter-area_m2-to]', '4')
    const filtered = page.waitForRequest((r) => r.url().includes('fields=goods%3Asnacks%7Cproduce%2Carea_m2%3A3..4'))
    await page.click('[data-test=search]')
    await filtered
    await page.waitForSelector(`.el-table__row >> text=${permitId}`)
    check((await page.locator('.el-table__row').count()) === 1, 'found by its goods and area')
    // The dashboard offers the new kind by its name and counts the permit: reported, filed, closed.
    await logIn(page, base, 'zhiban')
    await page.waitForURL(/\/command$/)
    await page.goto(`${base}/dashboards?area=130202001001`)
    await page.click('[data-test=dash-kind]')
    await page.click('.el-select-dropdown__item:visible >> text=占道经营许可申请')
    await page.waitForFunction(() => document.querySelector('[data-test=dash-closed]')?.textContent?.trim() === '1')
    check((await page.textContent('[data-test=dash-reported]')).trim() === '1', 'reported once')
    check((await page.textContent('[data-test=dash-filed]')).trim() === '1', 'filed once')
    await page.screenshot({ path: join(out, 'dashboard-new-kind-1920x1080.png'), fullPage: true })
    // The command centre offers the new kind too: narrowed to it, its counters are the server's.
    await page.goto(`${base}/command?area=130202001001`)
    await page.click('[data-test=kind-stall_permit]')
    await page.waitForURL(/kind=stall_permit/)
    const zhiban = (await api(base, 'POST', '/api/v1/auth/login', { username: 'zhiban', password: PASSWORD })).token
    const o = await api(base, 'GET', '/api/v1/overview?area=130202001001&kind=stall_permit', undefined, zhiban)
    check(o.area.today >= 1 && o.kinds.some((k) => k.kind === 'stall_permit'), `the permit among today's: ${JSON.stringify(o.area)}`)
    await page.waitForFunction((n) => document.querySelector('[data-test=count-today] .value')?.textContent?.trim() === String(n), o.area.today)
    await page.close()
  })
} catch (e) {
  suite.failed = true
  if (!steps.some((s) => s.startsWith('FAIL'))) console.log(`FAIL  ${e.stack ?? e}`)
} finally {
  await finish({ browser, server, work, steps, out, failed: suite.failed })
}
