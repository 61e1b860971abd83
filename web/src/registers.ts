// What the register pages share (名册: RegistersView, the phone's cards, the record's form and
// detail): names of registers, tags and choices in the console's language, a visit plan in words,
// the grids a caller may put a record in, and the change a form makes to a record (only the fields
// changed, masked values left alone).
import { call, session, type KindField, type Register, type RegisterRecord, type RegisterTag, type Schema } from './api'
import { given } from './components/fields/given'
import { i18n } from './i18n'

/** The roles offered 名册 before the server has said which registers they read. */
export const REGISTER_ROLES = ['grid_worker', 'residents_committee', 'party_organisation', 'property_service', 'service_station',
  'street_staff', 'shift_supervisor', 'dispatcher', 'city_admin']

const en = () => i18n.global.locale.value === 'en'

/** A thing's name in the console's language. */
export function named(x: { name_zh: string; name_en: string } | undefined | null): string {
  return x ? (en() ? x.name_en : x.name_zh) : ''
}

/** A tag of a register by name (a tag no longer declared: a neutral word, never its key). */
export function tagName(r: Register | undefined, key: string): string {
  const tag = r?.tags.find((t) => t.key === key)
  return tag ? named(tag) : i18n.global.t('reg.otherTag')
}

/** How often a tag's records are visited, in words (每 7 天走访一次); '' without a plan. */
export function visitText(tag: RegisterTag): string {
  const v = tag.visit_every
  if (!v) return ''
  const t = i18n.global.t
  if (v.unit === 'calendar_hours' && v.value % 24 === 0) return t('reg.every.days', { n: v.value / 24 })
  if (['minutes', 'calendar_hours', 'working_hours', 'working_days'].includes(v.unit)) return t(`reg.every.${v.unit}`, { n: v.value })
  return v.text_zh
}

/** A choice's name (a value no longer among the choices: as given). */
export function choiceName(f: KindField, value: unknown): string {
  const c = f.choices.find((c) => c.key === value)
  return c ? named(c) : value == null ? '' : String(value)
}

/** The register's fields a list filters by: its `filter` choice fields. */
export function facetFields(r: Register | undefined): KindField[] {
  return (r?.fields ?? []).filter((f) => f.filter && f.type === 'choice')
}

/** A record's API path. */
export function recordPath(register: string, id?: string): string {
  const base = `/api/v1/registers/${encodeURIComponent(register)}/records`
  return id ? `${base}/${encodeURIComponent(id)}` : base
}

/** The area the caller works in: its unit's division code (`130202001001:residents_committee`),
 * or the city when the unit names none. */
export function callerArea(): string {
  const head = session.me?.unit.split(':')[0] ?? ''
  return /^13\d{2,10}$/.test(head) ? head : '1302'
}

export interface GridChoice { code: string; name: string; where: string }
const gridsOf = new Map<string, Promise<GridChoice[]>>()
/** The grids of a community or village, by name (fetched once per tab). */
export function communityGrids(code: string): Promise<GridChoice[]> {
  let answer = gridsOf.get(code)
  if (!answer) {
    answer = call<Schema<'AreaDto'>>('GET', `/api/v1/areas/${code}`)
      .then((a) => a.grids.map((g) => ({ code: g.code, name: g.name, where: a.name })))
      .catch((e) => { gridsOf.delete(code); throw e })
    gridsOf.set(code, answer)
  }
  return answer
}

/** A person as the form holds it (name, phone, ID number; empty strings for what is not given). */
interface Person { name: string; phone: string; id_number: string }
function personOf(v: unknown): Person {
  const p = (v && typeof v === 'object' ? v : {}) as Record<string, string>
  return { name: p.name ?? '', phone: p.phone ?? '', id_number: p.id_number ?? '' }
}

/** Whether a field's value is shown masked (people on a record that is not whole): the form starts
 * it empty, and left empty it stays as it is. */
export function keptMasked(f: KindField, r: RegisterRecord | null): boolean {
  return !!r && !r.whole && f.personal && r.fields[f.key] !== undefined
}

/** The form's values for a record: its fields as they are, except masked people (see `keptMasked`). */
export function valuesOf(reg: Register, r: RegisterRecord | null): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (!r) return out
  for (const f of reg.fields) {
    const v = r.fields[f.key]
    if (v === undefined || v === null || keptMasked(f, r)) continue
    if (f.type === 'person') out[f.key] = personOf(v)
    else if (f.type === 'people') out[f.key] = Array.isArray(v) ? v.map(personOf) : []
    else out[f.key] = v
  }
  return out
}

/** The fields a change sends: those given that differ from the record, and a null for each one
 * emptied (a masked field left empty is unchanged). A new record: every field given. */
export function changedFields(reg: Register, r: RegisterRecord | null, values: Record<string, unknown>): Record<string, unknown> {
  const out = given(reg.fields, 'report', values)
  if (!r) return out
  const changed: Record<string, unknown> = {}
  for (const f of reg.fields) {
    const now = out[f.key]
    const was = r.fields[f.key]
    if (now === undefined) {
      if (was !== undefined && was !== null && !keptMasked(f, r)) changed[f.key] = null
    } else if (JSON.stringify(now) !== JSON.stringify(was)) {
      changed[f.key] = now
    }
  }
  return changed
}

/** Whether two tag lists hold the same tags. */
export function sameTags(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',')
}

/** What a list of records is filtered by: an area, a tag, one value of one filter field (the
 * server takes one `facet`), the removed records instead of those in force, and whole records. */
export interface RecordFilter { area: string; tag: string; facet: string; removed: boolean; unmask: boolean }

export function emptyFilter(): RecordFilter {
  return { area: '', tag: '', facet: '', removed: false, unmask: false }
}

/** The list's parameters for a filter and a page. */
export function recordQuery(f: RecordFilter, page: number, size: number): URLSearchParams {
  const p = new URLSearchParams({ page: String(page), page_size: String(size) })
  if (f.area) p.set('area', f.area)
  if (f.tag) p.set('tag', f.tag)
  if (f.facet) p.set('facet', f.facet)
  if (f.removed) p.set('removed', 'true')
  if (f.unmask) p.set('unmask', 'true')
  return p
}

/** A filter field's value on a record, by name ('' when it has none). */
export function facetText(f: KindField, r: RegisterRecord): string {
  const v = r.fields[f.key]
  return v === undefined || v === null ? '' : choiceName(f, v)
}
