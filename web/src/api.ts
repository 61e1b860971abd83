// The shanzhi HTTP API as the console uses it: the login token kept for the tab, JSON calls
// that turn error answers ({code, message, details}) into ApiError, and the wire types, named
// after the server's OpenAPI document (`src/generated/api.ts`, made by `npm run types` from
// crates/shanzhi-api/tests/openapi.snapshot.json before every build).
import { reactive } from 'vue'
import type { components } from './generated/api'
import { beijingNow, i18n } from './i18n'

/** The schemas of the server's OpenAPI document, by name. */
export type Schema<K extends keyof components['schemas']> = components['schemas'][K]

export type Me = Schema<'MeDto'>
export type Units = Schema<'UnitsDto'>
export type Route = Schema<'RouteDto'>
export type Case = Schema<'CaseDto'>
export type LogEntry = Schema<'LogEntryDto'>
export type Offer = Schema<'ActionOfferDto'>
export type CaseDetail = Schema<'CaseDetailDto'>
export type CaseList = Schema<'CaseListDto'>

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string, public field?: string, public details?: Record<string, unknown>) {
    // A refusal also says it in Chinese: the console shows the one of its language.
    const zh = details?.message_zh
    super(typeof zh === 'string' && i18n.global.locale.value !== 'en' ? zh : message)
  }
}

/** Who is logged in on this tab (the token stays in sessionStorage, never in a cookie). */
export const session = reactive<{ token: string | null; me: Me | null }>({
  token: sessionStorage.getItem('shanzhi.token'),
  me: JSON.parse(sessionStorage.getItem('shanzhi.me') ?? 'null'),
})

function remember(token: string | null, me: Me | null) {
  session.token = token
  session.me = me
  if (token && me) {
    sessionStorage.setItem('shanzhi.token', token)
    sessionStorage.setItem('shanzhi.me', JSON.stringify(me))
  } else {
    sessionStorage.removeItem('shanzhi.token')
    sessionStorage.removeItem('shanzhi.me')
  }
}

/**
 * A resident without an account is known by a follow code made on their phone the first time
 * they report (128 random bits, kept in localStorage): their reports are made under it, and
 * listed, followed and rated with it. Written down, it restores them on another phone.
 */
export function followCode(create = false): string | null {
  let code = localStorage.getItem('shanzhi.follow')
  if (!code && create) {
    code = newKey()
    localStorage.setItem('shanzhi.follow', code)
  }
  return code
}

export function setFollowCode(code: string) {
  localStorage.setItem('shanzhi.follow', code.trim().toLowerCase())
}

/** A case as its short follow code (查询码) shows it, to anyone who has the code. */
export type Follow = Schema<'FollowDto'>
export type FollowStep = Schema<'FollowStepDto'>
export type FollowFile = Schema<'FollowFileDto'>
/** The everyday problems a resident's report starts from. */
export type Everyday = Schema<'EverydayDto'>
export type EverydayProblem = Schema<'EverydayProblemDto'>
/** A community found by name. */
export type Community = Schema<'CommunityDto'>

/** The short follow codes of the reports made on this phone, by case number (the server keeps
 * only their hashes: a code lost here is found again only by whoever was told it). */
export function shortCodes(): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem('shanzhi.shortCodes') ?? '{}')
  } catch {
    return {}
  }
}

export function keepShortCode(id: string, code: string) {
  localStorage.setItem('shanzhi.shortCodes', JSON.stringify({ ...shortCodes(), [id]: code }))
}

/** What a lookup box holds: a short code (as `XXXX-XXXX`), a case number, or why it is neither. */
export type Lookup =
  | { code: string }
  | { id: string }
  | { error: 'empty' | 'symbol' | 'length' | 'digits'; n: number; symbol?: string }

/**
 * Reads what was typed as the server does (domain `ShortCode::parse`): full-width characters made
 * ASCII, any case, spaces and dashes dropped, O read as 0 and I, L as 1. Nine digits or more is a
 * case number (18 digits); other digits (12345, the hotline's number) are neither.
 */
export function readLookup(typed: string): Lookup {
  const plain = typed.normalize('NFKC').toUpperCase().replace(/[\s\-_.·‐-―−]/g, '')
  if (!plain) return { error: 'empty', n: 0 }
  if (/^\d+$/.test(plain) && plain.length > 8) return { id: plain }
  const read = plain.replace(/O/g, '0').replace(/[IL]/g, '1')
  const bad = [...read].find((c) => !'0123456789ABCDEFGHJKMNPQRSTVWXYZ'.includes(c))
  if (bad) return { error: 'symbol', n: read.length, symbol: bad }
  if (read.length !== 8) return { error: /^\d+$/.test(read) ? 'digits' : 'length', n: read.length }
  return { code: `${read.slice(0, 4)}-${read.slice(4)}` }
}

export async function raw(method: string, path: string, body?: BodyInit, type?: string, key?: string): Promise<Response> {
  const headers: Record<string, string> = {}
  if (session.token) headers.Authorization = `Bearer ${session.token}`
  else if (followCode()) headers['X-Follow-Code'] = followCode()!
  if (type) headers['Content-Type'] = type
  if (key) headers['Idempotency-Key'] = key
  const res = await fetch(path, { method, headers, body })
  if (res.ok) return res
  let err: { code?: string; message?: string; details?: { field?: string } & Record<string, unknown> } = {}
  try { err = await res.json() } catch { /* not JSON */ }
  if (res.status === 401 && session.token) remember(null, null)
  throw new ApiError(res.status, err.code ?? 'http', err.message ?? res.statusText, err.details?.field, err.details)
}

export async function call<T>(method: string, path: string, body?: unknown, key?: string): Promise<T> {
  const res = await raw(method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined ? undefined : 'application/json', key)
  return res.status === 204 ? (undefined as T) : res.json()
}

export async function login(username: string, password: string): Promise<Me> {
  const s = await call<Schema<'SessionDto'>>('POST', '/api/v1/auth/login', { username, password })
  remember(s.token, s.user)
  return s.user
}

export async function logout() {
  try { await call('POST', '/api/v1/auth/logout') } finally { remember(null, null) }
}

/** Sends a text body (a TOML or GeoJSON file) and answers the JSON reply. */
export async function callText<T>(method: string, path: string, text: string, type: string): Promise<T> {
  const res = await raw(method, path, text, type)
  return res.json()
}

/** A text the API answers (a stored reference file). */
export async function getText(path: string): Promise<string> {
  return (await raw('GET', path)).text()
}

/** Uploads a file as evidence; answers its id (`att_…`). */
export async function upload(file: File): Promise<string> {
  const res = await raw('POST', `/api/v1/attachments?name=${encodeURIComponent(file.name)}`, file, 'application/octet-stream')
  return (await res.json()).id
}

/** A file the API answers (with the login) as an object URL, for an <img> or a new tab. */
export async function blobUrl(path: string): Promise<string> {
  const res = await raw('GET', path)
  return URL.createObjectURL(await res.blob())
}

/** Downloads a file the API answers (an export) under its name. */
export async function download(path: string, fallback: string) {
  const res = await raw('GET', path)
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallback
  const url = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  URL.revokeObjectURL(url)
}

/** A fresh idempotency key, so a retried click acts once. */
export function newKey(): string {
  // getRandomValues works outside secure contexts too (a city LAN on plain HTTP).
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('')
}

export type AreaLive = Schema<'AreaLiveDto'>
export type Overview = Schema<'OverviewDto'>
/** One of the caller's to-do lists (待办), with the case list's filter that opens it. */
export type Todo = Schema<'TodoDto'>
export type BaseMap = Schema<'BaseMapDto'>
/** One frame of the live event stream as `followEvents` reads it (its data parsed). */
export interface LiveEvent { id: string; event: string; data: Record<string, unknown> }

/**
 * Follows the live event stream (`/api/v1/events`) with the tab's login: EventSource cannot send
 * an Authorization header, so this reads the stream with fetch. A dropped stream is resumed after
 * a pause from the last event seen; `stop()` ends it.
 */
export function followEvents(onEvent: (e: LiveEvent) => void, onState?: (live: boolean) => void): { stop: () => void } {
  const abort = new AbortController()
  let last = ''
  let stopped = false
  async function once() {
    const headers: Record<string, string> = { Accept: 'text/event-stream' }
    if (session.token) headers.Authorization = `Bearer ${session.token}`
    if (last) headers['Last-Event-ID'] = last
    const res = await fetch('/api/v1/events', { headers, signal: abort.signal })
    if (res.status === 401) { stopped = true; remember(null, null); return }
    if (!res.ok || !res.body) throw new Error(`events: ${res.status}`)
    onState?.(true)
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
    let buf = ''
    for (;;) {
      const { value, done } = await reader.read()
      if (done) return
      buf += value
      let end: number
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end)
        buf = buf.slice(end + 2)
        let id = ''; let event = 'message'; let data = ''
        for (const line of block.split('\n')) {
          if (line.startsWith('id:')) id = line.slice(3).trim()
          else if (line.startsWith('event:')) event = line.slice(6).trim()
          else if (line.startsWith('data:')) data += line.slice(5).trim()
        }
        if (!data) continue
        if (id) last = id
        let parsed: Record<string, unknown>
        try { parsed = JSON.parse(data) } catch { continue /* not JSON: skip */ }
        onEvent({ id, event, data: parsed })
      }
    }
  }
  ;(async () => {
    while (!stopped && session.token) {
      try { await once() } catch { /* dropped or refused: try again */ }
      onState?.(false)
      if (!stopped) await new Promise((r) => setTimeout(r, 3000))
    }
  })()
  return { stop: () => { stopped = true; abort.abort() } }
}

export type EventType = Schema<'EventTypeDto'>
export type Category = Schema<'CategoryDto'>
export type Taxonomy = Schema<'TaxonomyDto'>

let taxonomyOnce: Promise<Taxonomy> | null = null
/** Forgets the catalogue (after a new version was imported). */
export function forgetTaxonomy() {
  taxonomyOnce = null
}

/** The catalogue (fetched once per tab). */
export function taxonomy(): Promise<Taxonomy> {
  taxonomyOnce ??= call<Taxonomy>('GET', '/api/v1/taxonomy').catch((e) => { taxonomyOnce = null; throw e })
  return taxonomyOnce
}

/** A field of a kind: what a report or an action gives in `fields.<key>`. */
export type KindField = Schema<'KindFieldDto'>

/** A case kind in force (`GET /api/v1/kinds`): its states and actions, with what each counts as. */
export type Kind = Schema<'KindDto'>

let kindsOnce: { user: string; answer: Promise<Kind[]> } | null = null
/** Forgets the kinds (after a workflow was imported). */
export function forgetKinds() {
  kindsOnce = null
}

/** The case kinds in force (fetched once per tab and account). */
export function kinds(): Promise<Kind[]> {
  // Per account: who may take each action is told to staff only.
  const user = session.me?.username ?? ''
  if (kindsOnce?.user !== user) {
    const answer = call<Kind[]>('GET', '/api/v1/kinds').catch((e) => {
      if (kindsOnce?.answer === answer) kindsOnce = null
      throw e
    })
    kindsOnce = { user, answer }
  }
  return kindsOnce.answer
}

// Administration (city administrators).
export type AdminUser = Schema<'UserDto'>
/** An area (county, street, community, grid) or a unit an account sees besides its role's scope. */
export type ScopeEntry = Schema<'ScopeEntryDto'>
export type UserPage = Schema<'UserPageDto'>
export type RoleInfo = Schema<'RoleDto'>
/** A workflow in force with every action and the roles that may take it. */
export type WorkflowRoles = Schema<'WorkflowRolesDto'>
/** This server's full-text index: its last rebuild, or how far the running one is. */
export type SearchRebuild = Schema<'SearchRebuildDto'>
export type UnitInfo = Schema<'UnitDto'>
export type ReferenceOverview = Schema<'ReferenceOverviewDto'>
export type Imported = Schema<'ImportedDto'>
/** A name for a new version of reference data made in the page, which the administrator may
 * keep: the version in force and the time to the second, Beijing time (`tangshan-2026.1-20261201-091530`);
 * a version itself made so gives its base name, not a longer and longer one. */
export function nextVersion(current: string): string {
  const base = current.replace(/-\d{8}-\d{6}(-\d+)?$/, '')
  const name = `${base}-${beijingNow().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}`
  // Two edits within one second: the second must not take the name of the first.
  return name === current ? `${name}-2` : current.startsWith(`${name}-`) ? `${name}-${Number(current.slice(name.length + 1)) + 1}` : name
}
/** A problem of a grid file (a 422's `details.problems`, which the document leaves as an object). */
export interface GridProblem { feature: number | null; code: string | null; kind: string; message: string; message_zh: string }
export type Holiday = Schema<'HolidayDto'>
export type WorkCalendar = Schema<'CalendarDto'>
export type ApiKeyInfo = Schema<'ApiKeyDto'>

// The registers of the grid (一标三实: people, houses, units), as the caller may use them.
export type Register = Schema<'RegisterDto'>
export type RegisterTag = Schema<'RegisterTagDto'>
export type RegisterRecord = Schema<'RecordDto'>
export type RecordPage = Schema<'RecordPageDto'>
export type RecordVersion = Schema<'RecordVersionDto'>
export type RecordInput = Schema<'RecordInputDto'>
export type RecordChange = Schema<'RecordChangeDto'>
export type RecordRemoval = Schema<'RecordRemovalDto'>

/** 一标三实's order (people, houses, units), then any other register by its key. */
function inOrder(list: Register[]): Register[] {
  const rank = (r: Register) => ['person', 'house', 'org'].indexOf(r.register) >>> 0
  return [...list].sort((a, b) => rank(a) - rank(b) || a.register.localeCompare(b.register))
}

let registersOnce: { user: string; answer: Promise<Register[]> } | null = null
/** The registers the caller reads (fetched once per login; none for a role that reads none). */
export function registers(): Promise<Register[]> {
  const user = session.me?.username ?? ''
  if (registersOnce?.user !== user) {
    const answer = call<Register[]>('GET', '/api/v1/registers').then(inOrder).catch((e) => {
      if (registersOnce?.answer === answer) registersOnce = null
      throw e
    })
    registersOnce = { user, answer }
  }
  return registersOnce.answer
}
