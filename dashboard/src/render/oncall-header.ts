import type { OncallHeaderModel } from '../oncall/oncall-text.js';
import { setAttr, setText } from './dom.js';
import type { View } from './view.js';

/**
 * "On call: ana (until 07:00)" in the header, a link to the rota (issue 14). It is not folded on a
 * phone: it is one short line (styles.css cuts it with an ellipsis), so the worst alert stays on the
 * first screen. Hidden when the user is in no care team.
 */
export function createOncallHeader(root: HTMLElement, link: HTMLAnchorElement): View<OncallHeaderModel> {
  return {
    element: root,
    update(m) {
      root.hidden = m.text === null;
      setText(link, m.text ?? '');
      setAttr(link, 'href', m.href);
      // The whole line as a tooltip: on a phone it may be cut.
      setAttr(link, 'title', m.text);
      root.dataset.level = m.level;
      root.dataset.usernames = m.usernames.join(' ');
    },
    destroy() {
      root.hidden = true;
      link.replaceChildren();
    },
  };
}
