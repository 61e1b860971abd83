// Saving a change made in the page as a new version of reference data (TypeEdit, HolidayEdit):
// the request, the "in force" message, the failure shown in the dialog and the busy flag.
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { ElMessage } from 'element-plus'
import { ApiError, call, type Imported } from '../../api'

export function useVersionSave(saved: (version: string) => void) {
  const { t } = useI18n()
  const busy = ref(false)
  const failure = ref('')
  async function save(method: string, path: string, body: unknown) {
    busy.value = true
    failure.value = ''
    try {
      const done = await call<Imported>(method, path, body)
      ElMessage.success(t('admin.importedRef', { v: done.version }))
      saved(done.version)
    } catch (e) {
      failure.value = e instanceof ApiError ? e.message : String(e)
    } finally {
      busy.value = false
    }
  }
  return { busy, failure, save }
}
