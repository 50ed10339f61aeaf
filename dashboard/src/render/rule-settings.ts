import type { RuleSettingsView } from '../rule-settings.js';
import { TEST_IDS } from '../testids.js';
import { h, setText } from './dom.js';
import type { View } from './view.js';

/**
 * "Custom alarm settings" in the detail view: each threshold set for this pump alone, and who set it
 * when. Hidden when the pump has none or they could not be read; a pump whose settings are unknown must
 * not look as if it had custom ones, and the view must work without them.
 */
export function createRuleSettings(): View<RuleSettingsView | null> {
  const heading = h(
    'h3',
    { id: 'rule-settings-heading', class: 'rule-settings-heading' },
    'Custom alarm settings',
  );
  const intro = h(
    'p',
    { class: 'rule-settings-intro' },
    'This pump’s alarms use thresholds set for it alone:',
  );
  const list = h('ul', { class: 'rule-settings-list' });
  const setBy = h('p', { class: 'rule-settings-by' });
  const element = h(
    'section',
    {
      class: 'rule-settings',
      'aria-labelledby': 'rule-settings-heading',
      'data-testid': TEST_IDS.ruleSettings,
      hidden: true,
    },
    heading,
    intro,
    list,
    setBy,
  );

  return {
    element,
    destroy() {
      element.remove();
    },
    update(view) {
      element.hidden = view === null;
      if (!view) return;
      // Replaced only when a line changed, so a screen reader reading the list is not interrupted.
      const key = JSON.stringify(view.lines);
      if (list.dataset.key !== key) {
        list.dataset.key = key;
        list.replaceChildren(
          ...view.lines.map((line) =>
            h(
              'li',
              { class: 'rule-setting', 'data-path': line.path },
              h('code', { class: 'rule-setting-path' }, line.path),
              ': ',
              h('span', { class: 'rule-setting-value' }, line.value),
            ),
          ),
        );
      }
      setText(setBy, `${view.setBy}.`);
    },
  };
}
