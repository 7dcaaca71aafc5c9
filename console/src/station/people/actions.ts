// What the elder's and the volunteer's pages share: which form is open, and running one write
// with its outcome shown in the page (a notice, or the API error) before the page reloads.
import { ref } from 'vue'

export function usePersonActions(reload: () => Promise<unknown>) {
  const actionError = ref<unknown>(null)
  const notice = ref('')
  const problem = ref('')
  const open = ref('')

  /** Open a form (or close it when it is open), clearing the last outcome. */
  function toggle(form: string) {
    notice.value = ''
    problem.value = ''
    actionError.value = null
    open.value = open.value === form ? '' : form
  }

  /** Run one write; show the outcome inline and reload. */
  async function act(run: () => Promise<unknown>, done: string) {
    notice.value = ''
    problem.value = ''
    actionError.value = null
    try {
      await run()
      notice.value = done
      open.value = ''
      await reload()
    } catch (caught) {
      actionError.value = caught
    }
  }

  return { actionError, notice, problem, open, toggle, act }
}
