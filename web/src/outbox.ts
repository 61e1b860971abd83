// The phone's outbox: a report, a workflow action (a verification, a re-check) or a note that
// cannot be sent (no signal) is kept in IndexedDB with its photos and its idempotency key, and sent when
// the network is back (the browser's `online` event, every 30 s while something waits, or by
// hand), in the order it was made. It leaves the outbox only once the server has stored it, or
// when the user deletes it (say, after the server refused it for good: a 4xx other than 401, 408
// and 429, or a 500; the case may have been moved on by someone else meanwhile); the key makes
// every retry act once.
// Entries wait under the account that made them and are sent only with that account's login.
import { reactive, toRaw } from 'vue'
import { ApiError, call, session, upload, type Case } from './api'

export interface Pending {
  /** The idempotency key, which is also the entry's key in the store. */
  key: string
  user: string
  /** When it was made (ISO). */
  at: string
  /** Where it goes: `/api/v1/cases` for a report (also when absent, as kept by earlier
   * versions), `/api/v1/cases/{id}/actions` for an action, `/api/v1/cases/{id}/notes` for a note. */
  path?: string
  /** What the outbox shows for an action (its case and the action's name); a report shows its
   * description. */
  label?: string
  /** The report or action as the endpoint takes it, without `attachments`. */
  body: Record<string, unknown>
  /** The photos, each uploaded at most once: `id` is kept as soon as the server has it. */
  photos: { file: File; id: string | null }[]
  /** Why the server refused it (it stays until deleted), or empty. */
  error: string
}

export const outbox = reactive<{ items: Pending[]; sending: boolean; sent: Case[] }>({ items: [], sending: false, sent: [] })

const DB = 'shanzhi'
const STORE = 'outbox'

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1)
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' })
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })
}

/** One request in a transaction that has committed when the promise resolves. */
async function tx<T>(mode: IDBTransactionMode, run: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open()
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(STORE, mode)
      const req = run(t.objectStore(STORE))
      t.oncomplete = () => resolve(req.result)
      t.onerror = () => reject(t.error)
      t.onabort = () => reject(t.error)
    })
  } finally {
    db.close()
  }
}

/** A copy IndexedDB can store (Vue's proxies cannot be cloned; files can). */
function plain(p: Pending): Pending {
  const r = toRaw(p)
  const photos = r.photos.map((x) => toRaw(x)).map((x) => ({ file: x.file, id: x.id }))
  return { ...r, body: JSON.parse(JSON.stringify(r.body)), photos }
}

const save = (p: Pending) => tx('readwrite', (s) => s.put(plain(p)))

/** Reloads the list of what waits for the account logged in. */
export async function refresh() {
  const all = await tx<Pending[]>('readonly', (s) => s.getAll() as IDBRequest<Pending[]>)
  outbox.items = all.filter((p) => p.user === session.me?.username).sort((a, b) => a.at.localeCompare(b.at))
}

const REPORTS = '/api/v1/cases'

/** The path of a case's actions, which is where its queued actions go. */
export const actionsPath = (caseId: string) => `${REPORTS}/${encodeURIComponent(caseId)}/actions`
/** The path of a case's notes. */
export const notesPath = (caseId: string) => `${REPORTS}/${encodeURIComponent(caseId)}/notes`

/** Keeps a report (or, with `to`, an action) to send later; resolves once it is stored on the phone. */
export async function keep(
  key: string, body: Record<string, unknown>, photos: { file: File; id: string | null }[],
  to: { path: string; label: string } = { path: REPORTS, label: '' },
) {
  const user = session.me?.username
  if (!user) throw new Error('not logged in')
  await save({ key, user, at: new Date().toISOString(), path: to.path, label: to.label, body, photos, error: '' })
  await refresh()
  schedule()
}

export async function drop(key: string) {
  await tx('readwrite', (s) => s.delete(key))
  await refresh()
}

/** Whether an error means "try again later": no network, a login to renew, too many requests,
 * or a server or database that is unreachable for now (not a fault of the server's own, 500,
 * which a retry would meet again: that is kept as refused, for the person to delete). */
export function passing(e: unknown): boolean {
  return !(e instanceof ApiError) || [401, 408, 429, 502, 503, 504].includes(e.status)
}

/** Whether what was being sent should wait in the outbox: a passing failure, but not a login
 * that ran out (the person must log in again, and may then send it by hand). */
export function mayWait(e: unknown): boolean {
  return passing(e) && !(e instanceof ApiError && e.status === 401)
}

/** Sends what waits, oldest first; stops at the first failure that a later try may cure. */
export async function flush() {
  if (outbox.sending || !session.token) return
  outbox.sending = true
  try {
    await refresh()
    for (const p of outbox.items.filter((x) => !x.error)) {
      try {
        for (const photo of p.photos.filter((x) => !x.id)) {
          photo.id = await upload(photo.file)
          await save(p)
        }
        const body = p.photos.length ? { ...p.body, attachments: p.photos.map((x) => x.id) } : p.body
        const c = await call<Case>('POST', p.path ?? REPORTS, body, p.key)
        await tx('readwrite', (s) => s.delete(p.key))
        outbox.sent.push(c)
      } catch (e) {
        if (passing(e)) break
        p.error = e instanceof ApiError ? e.message : String(e)
        await save(p)
      }
    }
  } finally {
    await refresh().catch(() => {})
    outbox.sending = false
    schedule()
  }
}

let timer: number | undefined
/** Tries again in 30 s while anything waits to be sent. */
function schedule() {
  window.clearTimeout(timer)
  if (outbox.items.some((p) => !p.error)) timer = window.setTimeout(flush, 30_000)
}

window.addEventListener('online', () => { flush() })
