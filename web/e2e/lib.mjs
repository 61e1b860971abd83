// What the browser suites share (run.mjs, roles.mjs): the steps and their report, the demo
// server started from the real binary, the API called as a client does, the login page, a real
// PNG, and the raw-code check (a page must show names where a name belongs, not codes).
import { spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { createInterface } from 'node:readline'

export const PASSWORD = 'Shanzhi@2026'

export function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`)
}

/** The steps of a suite and what became of each. `step(name, f)` runs one; with `rethrow` (the
 * default) a failed step ends the suite, without it the suite goes on to the next step and only
 * `failed` remembers. */
export function stepper({ rethrow = true } = {}) {
  const s = {
    failed: false,
    steps: [],
    async step(name, f) {
      const started = Date.now()
      try {
        await f()
        s.steps.push(`ok    ${name} (${Date.now() - started} ms)`)
        console.log(`ok    ${name}`)
      } catch (e) {
        s.failed = true
        s.steps.push(`FAIL  ${name}: ${e.message}`)
        console.log(`FAIL  ${name}: ${e.stack ?? e}`)
        if (rethrow) throw e
      }
    },
  }
  return s
}

/** Starts `bin` with `args` in `cwd` (the demo, on a free port): `child` at once, `ready` with the
 * address once it serves (or a failure after `timeout` ms, or when it exits). */
export function launch(bin, args, cwd, timeout = 180_000) {
  const child = spawn(bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within ${timeout / 1000} s`)), timeout)
    let log = ''
    child.stderr.on('data', (d) => { log += d })
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /serving .* at (http:\/\/[^/]+)\//.exec(line)
      if (m) { clearTimeout(timer); resolve(m[1]) }
    })
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the server exited (${code}):\n${log}`)) })
    child.on('error', (e) => { clearTimeout(timer); reject(e) })
  })
  return { child, ready }
}

/** Ends a suite: the browser closed, the server stopped, its scratch folder removed, every step's
 * outcome listed; the process exits failed when a step did. */
export async function finish({ browser, server, work, steps, out, failed }) {
  await browser?.close()
  server?.child.kill('SIGTERM')
  rmSync(work, { recursive: true, force: true })
  console.log(`\n${steps.join('\n')}\nscreenshots in ${out}`)
  process.exit(failed ? 1 : 0)
}

export async function api(base, method, path, body, token) {
  const headers = { 'Content-Type': 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  let res = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined })
  // Logins are limited per address (30 a minute) and every account here logs in from one: wait
  // as the server says, as a client would.
  for (let tries = 0; res.status === 429 && tries < 5; tries++) {
    await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)))
    res = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined })
  }
  const json = await res.json().catch(() => null)
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

/** A real (1×1) PNG: the server decodes every image it is given. */
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')

export async function logIn(page, base, user, password = PASSWORD) {
  await page.goto(`${base}/login`)
  await page.fill('[data-test=username]', user)
  await page.fill('[data-test=password]', password)
  await page.click('[data-test=login]')
}

// ---- The raw-code check -------------------------------------------------------------------

/** The keys of the domain's enums that a page must name, never show (the server's spelling):
 * roles, channels, lights and the unit kinds spelt with an underscore (crates/shanzhi-domain:
 * people.rs, cases/case.rs, cases/clock.rs; `department` is an English word as much as a key),
 * and the log entries that are not workflow actions (cases/notes.rs). The
 * states and actions of every kind in force are added from `GET /api/v1/kinds`. */
export const ENUM_KEYS = [
  'city_admin', 'intake_operator', 'shift_supervisor', 'dispatcher', 'department_handler', 'street_staff',
  'party_organisation', 'residents_committee', 'owners_committee', 'property_service', 'building_head',
  'service_station', 'grid_worker', 'resident', 'device',
  'patrol', 'resident_web', 'resident_phone', 'hotline', 'open311',
  'green', 'yellow', 'red',
  'command_centre', 'street_office', 'building_heads',
  'report', 'note', 'absorb', 'parent_closed', 'overdue', 'escalate',
]

/** The prefixes of the audit log's action keys (crates/shanzhi-domain/src/audit.rs, and a case's
 * `case.<action>`). */
export const AUDIT_PREFIXES = ['apikey', 'attachment', 'audit', 'auth', 'calendar', 'case', 'datakey', 'demo', 'grids',
  'history', 'pii', 'reference', 'role', 'search', 'stats', 'taxonomy', 'user']

/** The keys a page must not show: `ENUM_KEYS` and every state and action of `kinds` (the answer
 * of `GET /api/v1/kinds`). */
export function rawKeys(kinds) {
  const keys = new Set(ENUM_KEYS)
  for (const k of kinds ?? []) {
    for (const s of k.states ?? []) keys.add(s.key)
    for (const a of k.actions ?? []) keys.add(a.key)
  }
  return [...keys]
}

/** Runs in the page: what is shown (each visible text, the value of each visible input and text
 * box, the open dialogs and popovers included, as they are in the document) that is a raw code,
 * with the element showing it. Text inside an element marked `data-code` (a code shown on
 * purpose, next to its name) is skipped. The rules:
 *  - a division or grid code: 9 (street), 12 (community) or 15 (grid) digits, up to 15, starting
 *    with 13 (Hebei), standing alone (a case number has 16 to 19 digits, a phone number 11, and
 *    the digits after a decimal point are a fraction);
 *  - a unit's id: a code, a colon and a key (`130202:urban-management`);
 *  - a key of a role, state, action, light, channel, unit kind or log entry as a word of its own
 *    (`street_staff`, `pending_filing`, `red`);
 *  - an audit action's key (`case.overdue`, `user.create`);
 *  - `anon:` (an anonymous reporter's account). */
export function findRawCodes({ keys, prefixes }) {
  const word = (k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const rules = [
    ['division or grid code', /(?<![0-9A-Za-z_.])13(?:\d{7}|\d{10,13})(?![0-9A-Za-z_])/],
    ['unit id', /(?<![0-9A-Za-z_])\d{4,12}:[a-z][a-z0-9_-]*/],
    ['key', new RegExp(`(?<![A-Za-z0-9_-])(?:${keys.map(word).join('|')})(?![A-Za-z0-9_-])`)],
    ['audit action key', new RegExp(`(?<![A-Za-z0-9_.])(?:${prefixes.map(word).join('|')})\\.[a-z_]+(?![A-Za-z0-9_])`)],
    ['anonymous account', /anon:/],
  ]
  /** A short CSS path of an element, for the report. */
  const where = (el) => {
    const parts = []
    for (let e = el; e && e !== document.body && parts.length < 6; e = e.parentElement) {
      let p = e.tagName.toLowerCase()
      const test = e.getAttribute('data-test')
      if (test) { parts.unshift(`${p}[data-test=${test}]`); break }
      if (e.id) { parts.unshift(`${p}#${e.id}`); break }
      const cls = [...e.classList].filter((c) => !c.startsWith('is-')).slice(0, 2)
      if (cls.length) p += `.${cls.join('.')}`
      parts.unshift(p)
    }
    return parts.join(' > ')
  }
  const visible = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })
  const found = []
  const test = (text, el) => {
    for (const [rule, re] of rules) {
      const m = re.exec(text)
      if (m) found.push({ rule, match: m[0], text: text.trim().slice(0, 160), where: where(el) })
    }
  }
  // Each element's own text (its text nodes joined, as a template's interpolations may be split).
  const own = new Map()
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT)
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement
    if (!el || !n.textContent.trim() || el.closest('[data-code], script, style, noscript, template')) continue
    own.set(el, (own.get(el) ?? '') + n.textContent)
  }
  for (const [el, text] of own) if (visible(el)) test(text, el)
  for (const el of document.querySelectorAll('input, textarea')) {
    if (['password', 'file', 'hidden', 'checkbox', 'radio'].includes(el.type) || el.closest('[data-code]')) continue
    if (el.value && visible(el)) test(el.value, el)
  }
  return found
}

/** The raw codes `page` shows (see `findRawCodes`). `codes`: `{ keys, prefixes }` (`rawKeys`). */
export async function rawCodesOn(page, codes) {
  return page.evaluate(findRawCodes, codes)
}

/** What `rawCodesOn` found on `what`, one line each: the rule, the code, the text and where. */
export function describeRawCodes(found, what, url) {
  const list = found.slice(0, 12).map((f) => `  ${f.rule} "${f.match}" in "${f.text}" at ${f.where}`).join('\n')
  return `raw codes shown on ${what} (${url}):\n${list}${found.length > 12 ? `\n  … and ${found.length - 12} more` : ''}`
}

/** Fails, naming each offending text and where it is, when `page` shows a raw code. */
export async function noRawCodes(page, codes, what) {
  const found = await rawCodesOn(page, codes)
  if (found.length) throw new Error(describeRawCodes(found, what, page.url()))
}

/**
 * Steps that check every page they look at for raw codes: `look(page, what)` waits for the
 * loading masks to go and keeps what shows a raw code; `task(name, f)` runs a step's task, then
 * fails with every raw code its pages showed (screenshots `{prefix}-failed-N.png` when the task
 * itself failed), closing the step's pages so the next starts clean. `looked()` counts the pages.
 */
export function codeChecker({ step, browser, codes, out, prefix }) {
  let shown = []
  let pages = 0
  let failures = 0
  const look = async (page, what) => {
    await page.waitForFunction(() => ![...document.querySelectorAll('.el-loading-mask')].some((m) => m.checkVisibility()), null, { timeout: 20_000 })
    await page.waitForTimeout(250)
    const found = await rawCodesOn(page, codes)
    if (found.length) shown.push(describeRawCodes(found, what, page.url()))
    pages += 1
  }
  const task = (name, f) => step(name, async () => {
    shown = []
    const error = await f().then(() => null, (e) => e)
    if (error) {
      for (const p of browser().contexts().flatMap((c) => c.pages())) {
        await p.screenshot({ path: `${out}/${prefix}-failed-${++failures}.png`, fullPage: true }).catch(() => {})
      }
    }
    for (const c of browser().contexts()) await c.close().catch(() => {})
    if (shown.length) throw new Error(`${error ? `${error.message}\nand ` : ''}${shown.join('\n')}`)
    if (error) throw error
  })
  return { look, task, looked: () => pages }
}
