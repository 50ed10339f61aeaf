import type { SessionView } from '../session.js';
import { setAttr, setText } from './dom.js';

export interface SessionEls {
  root: HTMLElement;
  label: HTMLElement;
  user: HTMLElement;
  role: HTMLElement;
  note: HTMLElement;
  logout: HTMLButtonElement;
}

/** Who is logged in, with which role, and the Log out button (header). */
export function createSessionView(els: SessionEls, options: { canLogOut: boolean }) {
  els.root.hidden = false;
  els.logout.hidden = !options.canLogOut;
  return {
    render(view: SessionView): void {
      setText(els.label, view.label);
      setText(els.user, view.user);
      els.user.hidden = view.user === '';
      setText(els.role, view.role);
      setAttr(els.role, 'data-role', view.roleId);

      setText(els.note, view.note ?? '');
      els.note.hidden = view.note === null;
      setAttr(els.note, 'data-level', view.expiring ? 'warn' : 'info');
    },
    /** Shows the logout in progress; the click handler ignores repeats meanwhile. */
    busy(): void {
      setAttr(els.logout, 'aria-disabled', 'true');
      setText(els.logout, 'Logging out…');
    },
  };
}
