import type { SessionView } from '../session.js';
import { setAttr, setText } from './dom.js';
import type { View } from './view.js';

export interface SessionEls {
  root: HTMLElement;
  label: HTMLElement;
  user: HTMLElement;
  role: HTMLElement;
  note: HTMLElement;
  logout: HTMLButtonElement;
}

/** Who is logged in, with which role, and the Log out button (header). */
export function createSessionView(
  els: SessionEls,
  options: { canLogOut: boolean; onLogout(): void },
): View<SessionView> {
  const abort = new AbortController();
  let busy = false;
  els.root.hidden = false;
  els.logout.hidden = !options.canLogOut;
  els.logout.addEventListener(
    'click',
    () => {
      // aria-disabled, not disabled (focus stays): repeats are ignored here while the logout runs.
      if (busy) return;
      busy = true;
      setAttr(els.logout, 'aria-disabled', 'true');
      setText(els.logout, 'Logging out…');
      options.onLogout();
    },
    { signal: abort.signal },
  );
  return {
    element: els.root,
    update(view) {
      setText(els.label, view.label);
      setText(els.user, view.user);
      els.user.hidden = view.user === '';
      setText(els.role, view.role);
      setAttr(els.role, 'data-role', view.roleId);

      setText(els.note, view.note ?? '');
      els.note.hidden = view.note === null;
      setAttr(els.note, 'data-level', view.expiring ? 'warn' : 'info');
    },
    destroy() {
      abort.abort();
      // The header is the page's, and the next console's: leave its button as the page had it.
      setAttr(els.logout, 'aria-disabled', null);
      setText(els.logout, 'Log out');
      for (const el of [els.label, els.user, els.role, els.note]) setText(el, '');
    },
  };
}
