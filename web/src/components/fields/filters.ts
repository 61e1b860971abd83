// The desk's conditions on a kind's own fields, as the `fields` parameter writes them
// (`dispute_type:family|neighbours,amount:1000..,agreed_on:..2026-03-31`): choices by key (any of
// those picked), numbers and dates as ranges with both ends included and either end open.
import type { KindField } from '../../api'

/** One field's condition as the form holds it: the choices picked, or the two ends of a range. */
export interface FieldTest { any: string[]; from: string; to: string }

/** The fields a desk can filter a kind's cases by. */
export function filterable(fields: KindField[]): KindField[] {
  return fields.filter((f) => f.filter && (f.type === 'choice' || f.type === 'number' || f.type === 'date'))
}

/** The parameter's value for the conditions set (empty: no condition). */
export function encode(tests: Record<string, FieldTest>): string {
  const out: string[] = []
  for (const [key, t] of Object.entries(tests)) {
    if (t.any.length) out.push(`${key}:${t.any.join('|')}`)
    else {
      // A cleared date picker leaves null.
      const [from, to] = [(t.from ?? '').trim(), (t.to ?? '').trim()]
      if (from || to) out.push(`${key}:${from}..${to}`)
    }
  }
  return out.join(',')
}

/** The conditions a link's parameter states, for the fields of the kind (others are dropped). */
export function decode(text: string, fields: KindField[]): Record<string, FieldTest> {
  const tests: Record<string, FieldTest> = {}
  for (const part of text.split(',')) {
    const at = part.indexOf(':')
    if (at < 0) continue
    const key = part.slice(0, at).trim()
    const spec = part.slice(at + 1).trim()
    const f = filterable(fields).find((f) => f.key === key)
    if (!f) continue
    if (f.type === 'choice') tests[key] = { any: spec.split('|').map((s) => s.trim()).filter(Boolean), from: '', to: '' }
    else {
      const [from, to] = spec.includes('..') ? spec.split('..', 2) : [spec, spec]
      tests[key] = { any: [], from: from.trim(), to: to.trim() }
    }
  }
  return tests
}
