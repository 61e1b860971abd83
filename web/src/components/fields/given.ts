// What of a form's field values is sent: empty texts, people without a name and unset values
// are left out (the server says which required field is missing); people keep only what was typed.
import type { KindField } from '../../api'

/** Forgets every value typed (another kind, another action, a new report). */
export function forget(values: Record<string, unknown>) {
  for (const k of Object.keys(values)) delete values[k]
}

/** What an attachments field holds while its files upload. */
export const UPLOADING = 'uploading…'

/** Whether a field's files are still uploading (the form waits before it sends). */
export function uploading(values: Record<string, unknown>): boolean {
  return Object.values(values).includes(UPLOADING)
}

export function given(fields: KindField[], at: string, values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const person = (p: Record<string, string>) => {
    const kept: Record<string, string> = {}
    for (const k of ['name', 'phone', 'id_number']) if (p[k]?.trim()) kept[k] = p[k].trim()
    return kept
  }
  for (const f of fields.filter((f) => f.at.includes(at))) {
    const v = values[f.key]
    if (v === undefined || v === null || v === '') continue
    if (f.type === 'person') {
      const p = person(v as Record<string, string>)
      if (p.name) out[f.key] = p
    } else if (f.type === 'people') {
      const list = (v as Record<string, string>[]).map(person).filter((p) => p.name)
      if (list.length) out[f.key] = list
    } else if (f.type === 'attachments') {
      if (Array.isArray(v) && v.length) out[f.key] = v
    } else if (typeof v === 'string') {
      if (v.trim()) out[f.key] = v.trim()
    } else {
      out[f.key] = v
    }
  }
  return out
}
