import { setAttr } from './dom.js';
import type { View } from './view.js';

export interface NurseModel {
  /** The name is needed and missing: the field is marked and its hint shown. */
  invalid: boolean;
  /** Bumped each time the console asks for the name: focus moves to the field. */
  asked: number;
}

/**
 * "Your name" in the header, for a server without logins (development): what is typed is recorded with
 * each acknowledgement. With a login the server knows who acts, so the field leaves the page (and comes
 * back with `destroy`, for a console that might run without one).
 */
export function createNurseView(
  els: { root: HTMLElement; input: HTMLInputElement; hint: HTMLElement },
  options: { present: boolean; name: string; onName(name: string): void },
): View<NurseModel> {
  const abort = new AbortController();
  const anchor = document.createComment('nurse');
  els.root.before(anchor);
  if (!options.present) els.root.remove();
  els.input.value = options.name;
  els.input.addEventListener('input', () => options.onName(els.input.value), { signal: abort.signal });
  let asked = 0;
  return {
    element: els.root,
    update(model) {
      setAttr(els.input, 'aria-invalid', model.invalid ? 'true' : null);
      els.hint.hidden = !model.invalid;
      if (model.asked !== asked) {
        asked = model.asked;
        els.input.focus();
      }
    },
    destroy() {
      abort.abort();
      if (!els.root.isConnected) anchor.after(els.root);
      anchor.remove();
      setAttr(els.input, 'aria-invalid', null);
      els.hint.hidden = true;
    },
  };
}
