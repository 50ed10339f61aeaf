import type { LoginResult, Session } from '../session.js';
import { setAttr, setText } from './dom.js';

export interface LoginEls {
  root: HTMLElement;
  form: HTMLFormElement;
  username: HTMLInputElement;
  password: HTMLInputElement;
  notice: HTMLElement;
  error: HTMLElement;
  submit: HTMLButtonElement;
}

/**
 * The login page: labelled fields, one error line that says what went wrong (wrong password, too many
 * attempts, server unreachable), the field at fault marked invalid and focused. A plain `<form>`, so
 * Enter submits and password managers recognise it; `novalidate` so every message is ours and read out
 * the same way.
 */
export function createLoginView(
  els: LoginEls,
  logIn: (username: string, password: string) => Promise<LoginResult>,
) {
  const abort = new AbortController();
  let busy = false;
  let onSession: ((session: Session) => void) | null = null;

  const clearInvalid = () => {
    els.username.removeAttribute('aria-invalid');
    els.password.removeAttribute('aria-invalid');
  };

  const showError = (message: string | null) => {
    setText(els.error, message ?? '');
    els.error.hidden = message === null;
  };

  els.form.addEventListener(
    'submit',
    (event) => {
      event.preventDefault();
      if (busy) return;
      busy = true;
      clearInvalid();
      showError(null);
      setAttr(els.submit, 'aria-disabled', 'true');
      setText(els.submit, 'Logging in…');
      void logIn(els.username.value, els.password.value).then((result) => {
        busy = false;
        setAttr(els.submit, 'aria-disabled', null);
        setText(els.submit, 'Log in');
        if (result.ok) {
          els.password.value = '';
          onSession?.(result.session);
          return;
        }
        showError(result.message);
        const field =
          result.field === 'username' ? els.username : result.field === 'password' ? els.password : null;
        if (field) {
          field.setAttribute('aria-invalid', 'true');
          if (field === els.password) els.password.select();
          field.focus();
        }
      });
    },
    { signal: abort.signal },
  );

  return {
    element: els.root,
    /** Shows the page (with a notice such as "Session expired", or none) and resolves on a good login. */
    show(notice: string | null): Promise<Session> {
      setText(els.notice, notice ?? '');
      els.notice.hidden = notice === null;
      showError(null);
      clearInvalid();
      els.root.hidden = false;
      document.body.dataset.view = 'login';
      document.title = notice ? 'pumpwatch — log in (NOT LIVE)' : 'pumpwatch — log in';
      (els.username.value ? els.password : els.username).focus();
      return new Promise((resolve) => {
        onSession = (session) => {
          onSession = null;
          resolve(session);
        };
      });
    },
    hide(): void {
      els.root.hidden = true;
    },
    /** Removes its listener; a login still waited for never resolves. */
    destroy(): void {
      abort.abort();
      onSession = null;
      els.root.hidden = true;
    },
  };
}
