// Browser tests per role, on a demo with history: each role logs in, lands where it lands (its
// to-do lists on the case desk, the shift supervisor on the command centre, the grid worker on
// the phone page) and does its daily task from there by clicking, as people do: the intake
// operator takes in a report, the shift supervisor files one and urges a department's case with
// the batch bar, the dispatcher dispatches one from the case page (the unit picked by name) and
// two at once, a department feeds back with a photo, the residents' committee opens one of its
// own, the grid worker on a 390×844 phone verifies or re-checks a task with a photo, the
// administrator reads the accounts, the roles and the audit log, a resident reports and follows
// the report by its short code, and the street office sees its late cases and opens one (last:
// its late case may need a minute to be late). After landing and after
// every change of page, the visible text of the page (open dialogs and popovers included, and the
// values in its inputs) must hold no raw code where a name belongs: a division or grid code, a
// unit's id, a key of a role, state, action, light or channel, an audit action's key, `anon:`.
// A code shown on purpose next to its name (for staff) is marked `data-code` and not read. The
// check is itself tested first, on pages made to fail it.
//
// Run: `SHANZHI_BIN=target/debug/shanzhi node web/e2e/roles.mjs` (scripts/e2e.sh runs it after
// run.mjs). It starts `shanzhi demo --history N --listen 127.0.0.1:0` in a scratch folder, N =
// $SHANZHI_E2E_HISTORY or 10,000 cases over the demo's year (about 30 s to load with the debug
// binary): enough that the lists have history in them, short enough for CI.
// With SHANZHI_URL set (e.g. SHANZHI_URL=http://127.0.0.1:8080), it starts nothing and runs against
// that server instead, such as `shanzhi demo` with its full year of history (the demo accounts'
// passwords must be the demo's, `Shanzhi@2026`).
// Either way, a list a role needs that is empty (the history's open cases are those of its last
// hours, so it depends on the time of day) is given cases over the API first, as the morning's
// reports would; the street office's late case, when it has none, is a case dispatched under a
// one-minute limit (the type's limit is set back at once; open cases keep their deadlines).
// Screenshots go to web/e2e/out/roles-*.png.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { AUDIT_PREFIXES, PASSWORD, PNG, api, check, codeChecker, launch, logIn, noRawCodes, rawKeys, stepper, finish } from './lib.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const out = join(here, 'out')
mkdirSync(out, { recursive: true })
const bin = resolve(process.env.SHANZHI_BIN ?? join(here, '../../target/debug/shanzhi'))
const HISTORY = Number(process.env.SHANZHI_E2E_HISTORY ?? 10_000)
const work = mkdtempSync(join(tmpdir(), 'shanzhi-roles-'))
const photo = join(work, 'photo.png')
writeFileSync(photo, PNG)

let server
let browser
// Every role is tried even when one fails, so that one run says all that is wrong.
const suite = stepper({ rethrow: false })
const { step, steps } = suite

/** A point in 立新东楼社区's first grid (路南区 学院南路街道), where the demo's local accounts are. */
const HERE = { lon: 118.18246, lat: 39.49733 }
const DEPARTMENT = '130202:urban-management'
const STREET = '130202001:street-office'
const COMMITTEE = '130202001001:residents_committee'
const DESKTOP = { viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' }
const PHONE = { viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true }

try {
  let base
  if (process.env.SHANZHI_URL) {
    base = process.env.SHANZHI_URL.replace(/\/+$/, '')
  } else {
    const started = Date.now()
    server = launch(bin, ['demo', '--history', String(HISTORY), '--listen', '127.0.0.1:0'], work, 600_000)
    base = await server.ready
    console.log(`the demo with ${HISTORY} cases of history loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }
  console.log(`server at ${base}, scratch folder ${work}`)
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] })

  const tokens = {}
  const as = async (user) => (tokens[user] ??= (await api(base, 'POST', '/api/v1/auth/login', { username: user, password: PASSWORD })).token)
  const kinds = await api(base, 'GET', '/api/v1/kinds')
  const codes = { keys: rawKeys(kinds), prefixes: AUDIT_PREFIXES }
  const kindOf = (k) => kinds.find((x) => x.kind === k)
  const stateName = (kind, state) => kindOf(kind).states.find((s) => s.key === state).name_zh
  /** The state an action leads to, by its Chinese name. */
  const after = (kind, action) => stateName(kind, kindOf(kind).actions.find((a) => a.key === action).to)
  const todos = async (user) => api(base, 'GET', '/api/v1/todo', undefined, await as(user))
  const todoOf = (lists, kind, state, whose) => lists.find((l) => l.kind === kind && l.state === state && l.whose === whose)
  const key = (l) => `${l.kind}-${l.state}-${l.whose}`
  /** Each role's step checks every page it looks at for raw codes (lib.mjs `codeChecker`). */
  const { look, task: role, looked } = codeChecker({ step, browser: () => browser, codes, out, prefix: 'roles' })

  // ---- The cases the roles need (over the API, only where a list has none) ----------------
  /** What is reported, in turn: a type of the catalogue and a person's words for it. */
  const PROBLEMS = [
    ['0602', '小区门口垃圾堆了好几天没人清运'], ['0604', '人行道上都是泥土没人清扫'], ['0701', '单元门上贴满了小广告'],
    ['1001', '路口有流动摊贩占道经营'], ['0301', '公共厕所的门锁坏了'], ['0412', '游园里的座椅断了一条腿'],
  ]
  let serial = 0
  const report = async (user, channel) => {
    const [type, words] = PROBLEMS[serial++ % PROBLEMS.length]
    return api(base, 'POST', '/api/v1/cases', { kind: 'event', type, description: `${words}（${serial}）`, ...HERE, channel }, await as(user))
  }
  const act = async (user, id, body) => api(base, 'POST', `/api/v1/cases/${id}/actions`, body, await as(user))
  const seed = {
    reported: async () => report('jumin', 'resident_web'),
    verifying: async () => {
      const c = await report('jumin', 'resident_web')
      await act('shouli', c.id, { action: 'request_verification' })
      return c
    },
    pending_filing: async () => {
      const c = await report('lixin-wangge', 'patrol')
      await act('shouli', c.id, { action: 'register' })
      return c
    },
    filed: async () => {
      const c = await seed.pending_filing()
      await act('zhiban', c.id, { action: 'file' })
      return c
    },
    dispatched: async (unit) => {
      const c = await seed.filed()
      await act('paiqian', c.id, { action: 'dispatch', units: { primary: unit, assisting: [] }, opinion: '请按时处置' })
      return c
    },
  }
  /** At least `n` cases on `user`'s list (kind, state, whose), made by `make` when missing. */
  const ensure = async (user, [kind, state, whose], n, make) => {
    const l = todoOf(await todos(user), kind, state, whose)
    check(l, `${user} has the list ${kind} ${state} ${whose}`)
    for (let i = l.count; i < n; i++) await make()
    return Math.max(0, n - l.count)
  }
  /** The street office's late case: dispatched under a one-minute limit of its type, which is set
   * back at once (open cases keep their deadlines). */
  const lateCase = async () => {
    const admin = await as('admin')
    const tax = await api(base, 'GET', '/api/v1/taxonomy')
    const type = tax.categories.flatMap((c) => c.types).find((t) => t.code === '0705')
    const body = (version, limit) => ({
      based_on: version, version: `${version.replace(/-e2e-\d+(-\d+)?$/, '')}-e2e-${Date.now()}`,
      name_zh: type.name_zh, name_en: type.name_en, department: type.department, assisting: type.assisting ?? [],
      urgency: type.urgency, level: type.level, limit, filing_zh: type.filing_zh, closing_zh: type.closing_zh,
    })
    const shortened = await api(base, 'PUT', '/api/v1/admin/taxonomy/types/0705', body(tax.version, { value: 1, unit: 'minutes' }), admin)
    try {
      const c = await api(base, 'POST', '/api/v1/cases', { kind: 'event', type: '0705', description: '巡查发现有人在路口散发小广告', ...HERE, channel: 'patrol' }, await as('lixin-wangge'))
      await act('shouli', c.id, { action: 'register' })
      await act('zhiban', c.id, { action: 'file' })
      await act('paiqian', c.id, { action: 'dispatch', units: { primary: STREET, assisting: [] } })
      return c
    } finally {
      await api(base, 'PUT', '/api/v1/admin/taxonomy/types/0705', body(shortened.version, type.limit), admin)
    }
  }
  let late = null
  await step('the lists the roles need have cases (the history\'s, or new ones over the API)', async () => {
    const made = {
      reported: await ensure('shouli', ['event', 'reported', 'scope'], 1, seed.reported),
      pending_filing: await ensure('zhiban', ['event', 'pending_filing', 'scope'], 1, seed.pending_filing),
      filed: await ensure('paiqian', ['event', 'filed', 'scope'], 4, seed.filed),
      department: await ensure('lunan-chengguan', ['event', 'dispatched', 'unit'], 2, () => seed.dispatched(DEPARTMENT)),
      committee: await ensure('lixin-juweihui', ['event', 'dispatched', 'unit'], 1, () => seed.dispatched(COMMITTEE)),
    }
    const worker = await todos('lixin-wangge')
    made.worker = (todoOf(worker, 'event', 'verifying', 'scope')?.count ?? 0) + (todoOf(worker, 'event', 'handled', 'scope')?.count ?? 0) > 0
      ? 0 : (await seed.verifying(), 1)
    if (!todoOf(await todos('xueyuan-jiedao'), 'event', 'dispatched', 'unit')?.red) late = await lateCase()
    made.late = late ? 1 : 0
    console.log(`      cases made for the lists: ${JSON.stringify(made)}`)
  })

  await step('the raw-code check fails on a page showing a code where a name belongs, and passes names', async () => {
    const page = await browser.newPage(DESKTOP)
    const bad = [
      ['<p>网格：130202001001001</p>', 'division or grid code', '130202001001001'],
      ['<table><tr><td>社区</td><td>130202001001</td></tr></table>', 'division or grid code', '130202001001'],
      ['<span>单位 130202:urban-management</span>', 'unit id', '130202:urban-management'],
      ['<span>130202001001:residents_committee</span>', 'unit id', '130202001001:residents_committee'],
      ['<span>角色：street_staff</span>', 'key', 'street_staff'],
      ['<div class="el-dialog"><span class="el-tag">pending_filing</span></div>', 'key', 'pending_filing'],
      ['<span>亮灯 red</span>', 'key', 'red'],
      ['<span>来源：resident_web</span>', 'key', 'resident_web'],
      ['<span>roles.grid_worker</span>', 'key', 'grid_worker'],
      ['<div>case.overdue</div>', 'audit action key', 'case.overdue'],
      ['<div>上报人 anon:5f1c</div>', 'anonymous account', 'anon:'],
      ['<input value="130202001">', 'division or grid code', '130202001'],
    ]
    for (const [html, rule, match] of bad) {
      await page.setContent(`<body>${html}</body>`)
      const err = await noRawCodes(page, codes, 'the self-test').then(() => null, (e) => e)
      check(err?.message.includes(`${rule} "${match}"`), `the check fails on ${html}: ${err?.message ?? 'it passed'}`)
    }
    // Names, case numbers (16–19 digits), phone numbers, codes marked as such and hidden text pass.
    await page.setContent(`<body><p>编号 117747166015127617 · 路南区学院南路街道立新东楼社区 <small data-code>130202001001001</small></p>
      <p>电话 13812345678 · 138****5678 · 共 130 件</p><div style="display:none">130202001001001 street_staff</div>
      <p>已派遣·处置中 · 红灯 · Open311 接口 · event-2026.5 · 路南区城市管理综合行政执法局</p><input value="路灯 一周"></body>`)
    await noRawCodes(page, codes, 'a page of names')
    await page.close()
  })

  /** `user` logs in on a desktop and lands on the desk with its first list with cases open. */
  const landOnDesk = async (page, user) => {
    const lists = await todos(user)
    await logIn(page, base, user)
    await page.waitForURL(/\/cases$/)
    await page.waitForSelector('[data-test=todos]')
    const first = lists.find((l) => l.count > 0)
    check(first, `${user} has a list with cases`)
    await page.waitForSelector(`[data-test=todo-${key(first)}].el-button--primary`)
    await page.waitForSelector('[data-test=cases] .el-table__row')
    await look(page, `${user}'s landing, the list ${first.name_zh}`)
    return lists
  }
  /** Opens a to-do list (kind, state, whose) by its button, unless it is open (landed on). */
  const openList = async (page, kind, state, whose) => {
    const button = `[data-test=todo-${kind}-${state}-${whose}]`
    if (await page.locator(`${button}.el-button--primary`).count()) return
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/cases?') && r.url().includes(`state=${state}`)),
      page.click(button),
    ])
    await page.waitForSelector(`${button}.el-button--primary`)
    await page.waitForSelector('[data-test=cases] .el-table__row')
    await look(page, `the list ${stateName(kind, state)}`)
  }
  /** The case number a desk's row shows. */
  const idOf = async (row) => /\d{16,19}/.exec(await row.textContent())[0]
  /** Opens the case of the desk's row holding `id` (the first row without one). */
  const openCase = async (page, id) => {
    const row = id ? page.locator(`[data-test=cases] .el-table__row:has-text("${id}")`) : page.locator('[data-test=cases] .el-table__row').first()
    const opened = id ?? (await idOf(row))
    await row.locator('[data-test=case-place]').click()
    await page.waitForURL(new RegExp(`/cases/${opened}$`))
    await page.waitForSelector('[data-test=state]')
    await page.waitForSelector('[data-test=log] .el-timeline-item')
    await look(page, `the case ${opened}`)
    return opened
  }
  /** Takes `action` on the open case page: its dialog checked, `fill` run in it, then submitted;
   * the state's name changes to `to`. */
  const take = async (page, action, to, fill = async () => {}) => {
    await page.click(`[data-test=action-${action}]`)
    await page.waitForSelector('[data-test=form-submit]', { state: 'visible' })
    await look(page, `the dialog of ${action}`)
    await fill()
    await page.click('[data-test=form-submit]')
    await page.waitForFunction((s) => document.querySelector('[data-test=state]')?.textContent?.trim() === s, to)
    await look(page, `the case after ${action}`)
  }
  const backToDesk = async (page) => {
    await page.click('a[href="/cases"]:has-text("返回")')
    await page.waitForURL(/\/cases$/)
    await page.waitForSelector('[data-test=cases] .el-table__row')
  }

  await role('受理员: lands on the desk with its list open, takes in a report (登记 or 转核实) and sees its state change', async () => {
    const page = await browser.newPage(DESKTOP)
    await landOnDesk(page, 'shouli')
    await openList(page, 'event', 'reported', 'scope')
    const id = await openCase(page)
    check((await page.textContent('[data-test=state]')).trim() === stateName('event', 'reported'), 'the case waits for intake')
    const action = (await page.locator('[data-test=action-register]:not([disabled])').count()) ? 'register' : 'request_verification'
    await take(page, action, after('event', action), async () => {
      await page.fill('[data-test=form-opinion]', action === 'register' ? '巡查上报，登记立案审核' : '请网格员现场核实')
    })
    const now = await api(base, 'GET', `/api/v1/cases/${id}`, undefined, await as('shouli'))
    check(now.state === kindOf('event').actions.find((a) => a.key === action).to, `the server agrees: ${now.state}`)
    await page.screenshot({ path: join(out, 'roles-intake-1920x1080.png'), fullPage: true })
    // The case sheet, to print.
    await page.click('[data-test=print]')
    await page.waitForSelector('[data-test=print-log] tbody tr')
    await look(page, 'the case sheet')
    await page.close()
  })

  await role('值班长: lands on the command centre, opens 待立案 on the desk and files a case, then urges a department\'s case with the batch bar', async () => {
    const page = await browser.newPage(DESKTOP)
    await logIn(page, base, 'zhiban')
    await page.waitForURL(/\/command$/)
    await page.waitForSelector('[data-test=children] .el-table__row')
    await page.waitForFunction(() => document.querySelectorAll('.area-label').length >= 2)
    await look(page, 'the command centre')
    await page.screenshot({ path: join(out, 'roles-command-1920x1080.png') })
    // Down to 路南区, and its open cases on the desk, the filters named.
    await page.click('[data-test=children] a.drill:text-is("路南区")')
    await page.waitForURL(/area=130202$/)
    await page.waitForFunction(() => document.querySelector('[data-test=crumbs]')?.textContent?.includes('路南区'))
    await look(page, 'the command centre at 路南区')
    await page.click('[data-test=count-open]')
    await page.waitForURL(/\/cases\?/)
    await page.waitForSelector('[data-test=extra]')
    await page.waitForSelector('[data-test=cases] .el-table__row')
    await look(page, 'the desk behind 路南区\'s open cases')
    // The desk, and the list of cases to file.
    await page.click('[data-test=nav-desk]')
    await page.waitForSelector('[data-test=todos]')
    await openList(page, 'event', 'pending_filing', 'scope')
    await openCase(page)
    await take(page, 'file', after('event', 'file'))
    await page.screenshot({ path: join(out, 'roles-filed-1920x1080.png'), fullPage: true })
    // Urging: the cases being handled, one of a department's ticked, 催办 from the batch bar.
    await backToDesk(page)
    await page.click('text=重置')
    await page.click('[data-test=desk-kind]')
    await page.click(`.desk-kind-options li >> text="${kindOf('event').name_zh}"`)
    await page.click('[data-test=desk-state]')
    await page.click(`.desk-state-options li.el-select-dropdown__item >> text="${stateName('event', 'dispatched')}"`)
    // The department picked by name in the unit filter (grouped by kind), as the shift supervisor
    // would look for 路南区城管's cases.
    await page.click('[data-test=desk-unit]')
    await page.keyboard.type('路南城管')
    await page.waitForSelector('.desk-unit-options .el-select-group__title:has-text("职能部门")')
    await look(page, 'the unit picker')
    await page.click(`.desk-unit-options li.el-select-dropdown__item >> text="${'路南区城市管理综合行政执法局'}"`)
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/cases?') && r.url().includes('state=dispatched') && r.url().includes(`unit=${encodeURIComponent(DEPARTMENT)}`)),
      page.click('[data-test=search]'),
    ])
    const listed = (await res.json()).items
    check(listed.length && listed.every((c) => c.units?.primary === DEPARTMENT), `only the department's cases: ${listed.map((c) => c.units?.primary)}`)
    const target = listed.find((c) => c.kind === 'event')
    check(target, 'a department\'s case among the cases being handled')
    await page.waitForSelector(`[data-test=cases] .el-table__row:has-text("${target.id}")`)
    await look(page, 'the cases being handled')
    const urged = target.urge_count
    await page.click(`[data-test=cases] .el-table__row:has-text("${target.id}") .el-checkbox`)
    await page.waitForSelector('[data-test=batch]')
    await look(page, 'the batch bar')
    await page.click('[data-test=batch-urge]')
    await page.waitForSelector('.el-message-box input')
    await page.fill('.el-message-box input', '群众反映强烈，请于今日内处置')
    await look(page, 'the urging\'s dialog')
    const [done] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/batch/actions')),
      page.click('.el-message-box__btns .el-button--primary'),
    ])
    const answer = await done.json()
    check(answer.done === 1 && answer.failed === 0, `urged: ${JSON.stringify(answer)}`)
    await page.waitForSelector(`[data-test=cases] .el-table__row:has-text("${target.id}") [data-test=case-urged]`)
    await look(page, 'the cases after the urging')
    const now = await api(base, 'GET', `/api/v1/cases/${target.id}`, undefined, await as('zhiban'))
    check(now.urge_count === urged + 1, `urged once more: ${urged} → ${now.urge_count}`)
    await page.screenshot({ path: join(out, 'roles-urged-1920x1080.png') })
    // The dashboards.
    await page.click('[data-test=nav-dashboards]')
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-test=dash-closed]')?.textContent ?? ''))
    await look(page, 'the dashboards')
    await page.close()
  })

  await role('派遣员: lands on its lists, dispatches a case from the case page (the unit picked by name) and two more at once', async () => {
    const page = await browser.newPage(DESKTOP)
    await landOnDesk(page, 'paiqian')
    await openList(page, 'event', 'filed', 'scope')
    await openCase(page)
    let unit = ''
    await take(page, 'dispatch', after('event', 'dispatch'), async () => {
      await page.click('[data-test=form-unit]')
      await page.waitForSelector('.el-select-dropdown__item:visible')
      await look(page, 'the units to choose from')
      const names = (await page.locator('.el-select-dropdown__item:visible').allTextContents()).map((s) => s.trim())
      unit = names.find((n) => n.endsWith('城市管理综合行政执法局')) ?? names[0]
      await page.click(`.el-select-dropdown__item:visible >> text="${unit}"`)
      await page.fill('[data-test=form-opinion]', '请尽快处置')
    })
    check((await page.textContent('[data-test=unit]')).trim() === unit, `dispatched to ${unit}`)
    await backToDesk(page)
    const before = todoOf(await todos('paiqian'), 'event', 'filed', 'scope').count
    await openList(page, 'event', 'filed', 'scope')
    const rows = page.locator('[data-test=cases] .el-table__row')
    check((await rows.count()) >= 2, 'two cases to dispatch')
    await rows.nth(0).locator('.el-checkbox').click()
    await rows.nth(1).locator('.el-checkbox').click()
    await page.waitForSelector('[data-test=batch]')
    await look(page, 'the batch bar')
    // A batch asks before it acts (it could as well close or void a hundred cases).
    await page.click('[data-test=batch-dispatch]')
    await page.waitForSelector('.el-message-box:has-text("2 件")')
    await look(page, 'the batch\'s confirmation')
    const [done] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/batch/actions')),
      page.click('.el-message-box__btns .el-button--primary'),
    ])
    const answer = await done.json()
    check(answer.done === 2 && answer.failed === 0, `both dispatched by the routing rules: ${JSON.stringify(answer)}`)
    await page.waitForFunction(([sel, n]) => document.querySelector(sel)?.textContent?.trim() === String(n),
      ['[data-test=todo-count-event-filed-scope]', before - 2])
    await look(page, 'the list after the batch')
    await page.screenshot({ path: join(out, 'roles-dispatch-1920x1080.png') })
    await page.close()
  })

  await role('部门: lands on its lists, sees its unit by name on the cases dispatched to it, feeds back on one with a photo', async () => {
    const page = await browser.newPage(DESKTOP)
    await landOnDesk(page, 'lunan-chengguan')
    await openList(page, 'event', 'dispatched', 'unit')
    const units = await page.locator('[data-test=cases] .el-table__row [data-test=case-unit]').allTextContents()
    check(units.length && units.every((u) => u.trim() === '路南区城市管理综合行政执法局'), `the responsible unit by name: ${[...new Set(units)]}`)
    // The list's unit is the unit filter's choice, by name.
    await page.waitForFunction(() => document.querySelector('[data-test=desk-unit]')?.textContent?.includes('路南区城市管理综合行政执法局')
      || [...document.querySelectorAll('[data-test=desk-unit] input')].some((i) => i.value.includes('路南区城市管理综合行政执法局')))
    await page.screenshot({ path: join(out, 'roles-department-1920x1080.png') })
    await openCase(page)
    await take(page, 'feedback', after('event', 'feedback'), async () => {
      await page.setInputFiles('[data-test=form-files]', photo)
      await page.fill('[data-test=form-opinion]', '已现场处置完毕，照片附后')
      await look(page, 'the feedback with its photo')
    })
    await page.close()
  })

  await role('社区: the residents\' committee lands on its list and opens one of its cases', async () => {
    const page = await browser.newPage(DESKTOP)
    const lists = await landOnDesk(page, 'lixin-juweihui')
    const mine = todoOf(lists, 'event', 'dispatched', 'unit')
    await openList(page, 'event', 'dispatched', 'unit')
    check(mine.count >= 1, 'cases dispatched to the committee')
    await openCase(page)
    check((await page.textContent('[data-test=unit]')).includes('立新东楼社区'), 'the committee by name')
    await page.screenshot({ path: join(out, 'roles-committee-1920x1080.png'), fullPage: true })
    await page.close()
  })

  await role('网格员: on a 390×844 phone, lands on 我的网格, opens a task and verifies or re-checks it with a photo', async () => {
    const ctx = await browser.newContext(PHONE)
    const phone = await ctx.newPage()
    await logIn(phone, base, 'lixin-wangge')
    await phone.waitForURL(/\/m$/)
    await phone.waitForFunction(() => [...document.querySelectorAll('[data-test^=task-]')].some((e) => /^task-\d+$/.test(e.dataset.test)))
    await look(phone, 'the grid worker\'s page')
    await phone.screenshot({ path: join(out, 'roles-worker-390x844.png') })
    const card = await phone.evaluate(() => [...document.querySelectorAll('[data-test^=task-]')].find((e) => /^task-\d+$/.test(e.dataset.test)).dataset.test)
    const id = card.slice('task-'.length)
    check((await phone.textContent(`[data-test=${card}]`)).includes('立新东楼社区'), `the task's place by name: ${await phone.textContent(`[data-test=${card}]`)}`)
    await phone.tap(`[data-test=${card}]`)
    await phone.waitForURL(new RegExp(`/cases/${id}$`))
    await phone.waitForSelector('[data-test=state]')
    await look(phone, 'the task on the phone')
    // Where it is, by name (its grid's code, if shown, only beside it).
    check((await phone.textContent('[data-test=case-place]')).includes('立新东楼社区'), 'the case\'s place by name')
    const action = (await phone.locator('[data-test=action-confirm]:not([disabled])').count()) ? 'confirm' : 'check_pass'
    await take(phone, action, after('event', action), async () => {
      await phone.setInputFiles('[data-test=form-files]', photo)
      await phone.fill('[data-test=form-opinion]', action === 'confirm' ? '现场核实属实' : '复核已修复')
    })
    const detail = await api(base, 'GET', `/api/v1/cases/${id}`, undefined, await as('lixin-wangge'))
    check(detail.log.at(-1).action === action && detail.log.at(-1).attachments.length === 1, `with its photo: ${JSON.stringify(detail.log.at(-1))}`)
    await phone.screenshot({ path: join(out, 'roles-worker-case-390x844.png'), fullPage: true })
    await ctx.close()
  })

  await role('管理员: lands on the command centre, reads the accounts, the roles and the audit log in 系统管理', async () => {
    const page = await browser.newPage(DESKTOP)
    await logIn(page, base, 'admin')
    await page.waitForURL(/\/command$/)
    await page.waitForSelector('[data-test=children] .el-table__row')
    await page.click('[data-test=nav-admin]')
    await page.waitForSelector('[data-test=users] .el-table__row')
    await look(page, 'the accounts')
    await page.click('#tab-roles')
    await page.waitForSelector('[data-test=roles] .el-table__row')
    await look(page, 'the roles')
    // The grids, by area: the city's counties, then 路南区's streets (each with its code beside it).
    await page.click('#tab-grids')
    await page.waitForSelector('[data-test=grid-children] .el-table__row')
    await look(page, 'the grids of the city')
    await page.click('[data-test=grid-children] .el-table__row:has-text("路南区")')
    await page.waitForFunction(() => document.querySelector('[data-test=grid-area]')?.textContent?.includes('路南区'))
    await page.waitForSelector('[data-test=grid-children] .el-table__row:has-text("学院南路街道")')
    await look(page, 'the grids of 路南区')
    await page.click('#tab-audit')
    await page.waitForSelector('[data-test=audit] .el-table__row')
    await look(page, 'the audit log')
    // A case's entries (the sweep's 超时 among them when a case went late).
    await page.fill('[data-test=audit-action]', 'case.')
    await page.click('[data-test=audit-search]')
    await page.waitForSelector('[data-test=audit] .el-table__row')
    await look(page, 'the audit log of cases')
    await page.screenshot({ path: join(out, 'roles-audit-1920x1080.png') })
    await page.close()
  })

  await role('居民: on a phone, reports a problem, gets a short code and follows the case by it', async () => {
    const ctx = await browser.newContext({ ...PHONE, geolocation: { longitude: HERE.lon, latitude: HERE.lat }, permissions: ['geolocation'] })
    const phone = await ctx.newPage()
    await phone.goto(`${base}/report`)
    await phone.waitForSelector('[data-test^=everyday-]')
    await look(phone, 'the resident\'s report page')
    await phone.click('[data-test=everyday-street-light]')
    await phone.fill('[data-test=report-description]', '小区东门外的路灯坏了好几天')
    await phone.waitForFunction(() => document.querySelector('[data-test=report-place]')?.textContent?.includes('立新东楼社区'))
    await look(phone, 'the resident\'s report form')
    await phone.click('[data-test=report-submit]')
    await phone.waitForSelector('[data-test=resident-short-code]')
    await look(phone, 'the resident\'s thanks')
    const code = (await phone.textContent('[data-test=resident-short-code]')).trim()
    await phone.click('[data-test=resident-follow]')
    await phone.waitForURL(new RegExp(`/f/${code}$`))
    await phone.waitForSelector('[data-test=follow-state]')
    await look(phone, 'the case followed by its short code')
    await phone.screenshot({ path: join(out, 'roles-resident-390x844.png'), fullPage: true })
    await ctx.close()
  })
  await role('街道: lands on its lists with the late cases counted, and opens a late one', async () => {
    // The late case made for it turns red a minute after its dispatch (the deadline, not a sweep).
    let red = 0
    for (let i = 0; i < 90 && !red; i++) {
      red = todoOf(await todos('xueyuan-jiedao'), 'event', 'dispatched', 'unit').red
      if (!red) await new Promise((r) => setTimeout(r, 1000))
    }
    check(red > 0, 'a late case in the street')
    // The sweep (every 30 s) writes its 超时 in the late case's log: the page is read once it has.
    for (let i = 0; late && i < 60; i++) {
      const { log } = await api(base, 'GET', `/api/v1/cases/${late.id}`, undefined, await as('xueyuan-jiedao'))
      if (log.some((e) => e.action === 'overdue')) break
      await new Promise((r) => setTimeout(r, 1000))
    }
    const page = await browser.newPage(DESKTOP)
    await landOnDesk(page, 'xueyuan-jiedao')
    const button = '[data-test=todo-event-dispatched-unit]'
    // As the server counts them (more may have turned late meanwhile, none fewer).
    const shownRed = Number(/超时 (\d+)/.exec(await page.textContent(`${button} .todo-red`))?.[1])
    const redNow = todoOf(await todos('xueyuan-jiedao'), 'event', 'dispatched', 'unit').red
    check(shownRed >= red && shownRed <= redNow, `the late ones counted on the list: ${await page.textContent(button)} (the server: ${red}…${redNow})`)
    await openList(page, 'event', 'dispatched', 'unit')
    await page.screenshot({ path: join(out, 'roles-street-1920x1080.png') })
    // A late one: its light is red.
    await page.click('[data-test=light]')
    await page.click('.el-select-dropdown__item:visible:has-text("红灯")')
    await page.click('[data-test=search]')
    await page.waitForSelector('[data-test=cases] .el-table__row .light.red')
    await look(page, 'the street\'s late cases')
    await openCase(page, late?.id)
    check(await page.isVisible('.el-card__header .light.red'), 'the case is late')
    check((await page.textContent('[data-test=log]')).includes('超时'), 'its log says when it went late')
    await page.close()
  })

  console.log(`      pages checked for raw codes: ${looked()}`)
} catch (e) {
  suite.failed = true
  console.log(`FAIL  ${e.stack ?? e}`)
} finally {
  await finish({ browser, server, work, steps, out, failed: suite.failed })
}
