// Visit plans (走访): the visits due in the caller's areas (the late ones first), a record's visits
// (newest first), and a visit recorded. A server without visit plans (older than them) answers
// 404 for these paths, read here as "no visit plans" (null), so the pages work without them.
import { ApiError, call, type Schema } from './api'
import { recordPath } from './registers'

/** A visit due: a record (masked) carrying a tag with a visit plan, and when it is next due. */
export type VisitDue = Schema<'DueVisitDto'>
/** `GET /api/v1/visits`: the visits due, the late ones first. */
export type VisitPage = Schema<'DueVisitPageDto'>
/** `POST …/records/{id}/visits`: the tag the visit is for and what was found. */
export type VisitInput = Schema<'VisitInputDto'>
/** What a visit recorded answers: whether on time, and when the next one is due. */
export type VisitDone = Schema<'VisitDoneDto'>
/** A visit made (`GET …/records/{id}/visits`, the note masked unless whole). */
export type VisitEntry = Schema<'VisitDto'>

/** The server has no such endpoint: its 404 for a path no route takes ("route not found"), not
 * one for a record or register that is not there. */
function missing(e: unknown): boolean {
  return e instanceof ApiError && ((e.status === 404 && /^route\b/.test(e.message)) || e.status === 405)
}

/** The grid worker's list (走访): the late visits and those due within a week, a page of them. */
export function dueSoon(page = 1, size = 50): URLSearchParams {
  return new URLSearchParams({ within_days: '7', page: String(page), page_size: String(size) })
}

/** The visits due (null: this server has no visit plans). */
export async function dueVisits(params: URLSearchParams): Promise<VisitPage | null> {
  try {
    return await call<VisitPage>('GET', `/api/v1/visits?${params}`)
  } catch (e) {
    if (missing(e)) return null
    throw e
  }
}

/** A record's visits, newest first (null: no visit plans here); `whole` as the record is read. */
export async function recordVisits(register: string, id: string, whole = false): Promise<VisitEntry[] | null> {
  try {
    return await call<VisitEntry[]>('GET', `${recordPath(register, id)}/visits${whole ? '?unmask=true' : ''}`)
  } catch (e) {
    if (missing(e)) return null
    throw e
  }
}

/** Records a visit (the server takes no idempotency key here: the form sends it once per tap). */
export function recordVisit(register: string, id: string, input: VisitInput): Promise<VisitDone> {
  return call<VisitDone>('POST', `${recordPath(register, id)}/visits`, input)
}
