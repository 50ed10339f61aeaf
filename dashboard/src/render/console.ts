import type { AlarmDemand } from '../alarm.js';
import type { SoundState } from '../audio.js';
import { formatCountdown } from '../format.js';
import type { NotifyState } from '../notify.js';
import { SNOOZE_CHOICES_MS } from '../snooze.js';
import { setAttr, setText } from './dom.js';
import type { View } from './view.js';

export interface ControlsModel {
  sound: SoundState;
  demand: AlarmDemand;
  /** Browser ms left of the console-wide audio pause, or null. */
  pauseLeftMs: number | null;
  bursts: number;
  notify: NotifyState;
}

export interface ConsoleEls {
  soundStatus: HTMLElement;
  soundEnable: HTMLButtonElement;
  audioPause: HTMLButtonElement;
  notifyEnable: HTMLButtonElement;
  notifyStatus: HTMLElement;
  snoozeLength: HTMLSelectElement;
}

/**
 * The alarm sound and notification controls in the header. The sound status always says what the
 * speaker is doing, and says it loudly when it cannot sound at all: a silent console must not pass for
 * a quiet one.
 */
export interface ControlsActions {
  onSoundEnable(): void;
  onAudioPause(): void;
  onNotifyEnable(): void;
  onSnoozeLength(ms: number): void;
}

export function createConsoleControls(
  els: ConsoleEls,
  actions: ControlsActions,
  options: { canAct: boolean },
): View<ControlsModel> {
  const abort = new AbortController();
  const { signal } = abort;
  const choices = SNOOZE_CHOICES_MS.map((ms) => {
    const option = document.createElement('option');
    option.value = String(ms);
    option.textContent = `${ms / 60_000} min`;
    return option;
  });
  els.snoozeLength.append(...choices);
  // A viewer cannot snooze: the length to snooze for means nothing to them.
  const lengthBox = els.snoozeLength.closest<HTMLElement>('.snooze-length');
  if (!options.canAct) lengthBox?.setAttribute('hidden', '');
  els.soundEnable.addEventListener('click', () => actions.onSoundEnable(), { signal });
  els.audioPause.addEventListener('click', () => actions.onAudioPause(), { signal });
  els.notifyEnable.addEventListener('click', () => actions.onNotifyEnable(), { signal });
  els.snoozeLength.addEventListener(
    'change',
    () => actions.onSnoozeLength(Number(els.snoozeLength.value) || SNOOZE_CHOICES_MS[0]),
    { signal },
  );

  return {
    element: els.soundStatus,
    destroy() {
      abort.abort();
      for (const option of choices) option.remove();
      lengthBox?.removeAttribute('hidden');
    },
    update(m) {
      const { demand } = m;
      let text: string;
      let level: 'ok' | 'warn' | 'alarm';
      if (m.sound === 'unsupported') {
        text = 'No alarm sound: this browser has no Web Audio.';
        level = 'warn';
      } else if (m.sound === 'blocked') {
        text = 'Alarm sound is OFF: the browser needs a click first.';
        level = 'warn';
      } else if (demand.paused && m.pauseLeftMs !== null) {
        text = `Audio paused, ${formatCountdown(m.pauseLeftMs)} left. A new alarm ends the pause.`;
        level = 'warn';
      } else if (demand.tone !== null) {
        text =
          demand.reason === 'connection'
            ? 'Sounding: connection to the server lost.'
            : `Sounding: ${demand.tone} priority alarm (${demand.sounding} alert${demand.sounding === 1 ? '' : 's'}).`;
        level = 'alarm';
      } else {
        text = 'Sound on. Quiet: no alert needs it.';
        level = 'ok';
      }
      setText(els.soundStatus, text);
      setAttr(els.soundStatus, 'data-level', level);
      setAttr(els.soundStatus, 'data-sound', m.sound);
      setAttr(els.soundStatus, 'data-alarm', demand.paused ? 'paused' : (demand.tone ?? 'none'));
      setAttr(els.soundStatus, 'data-bursts', String(m.bursts));
      els.soundEnable.hidden = m.sound !== 'blocked';

      const pausing = m.pauseLeftMs !== null;
      setAttr(els.audioPause, 'aria-pressed', String(pausing));
      setText(
        els.audioPause,
        pausing ? `Resume audio (${formatCountdown(m.pauseLeftMs ?? 0)})` : 'Pause audio 2 min',
      );
      els.audioPause.hidden = m.sound === 'unsupported';

      els.notifyEnable.hidden = m.notify !== 'default';
      setText(
        els.notifyStatus,
        m.notify === 'granted'
          ? 'Notifications on while this tab is hidden.'
          : m.notify === 'denied'
            ? 'Notifications blocked in the browser settings: keep this tab visible.'
            : m.notify === 'unsupported'
              ? 'This browser cannot show notifications: keep this tab visible.'
              : '',
      );
      setAttr(els.notifyStatus, 'data-notify', m.notify);
      els.notifyStatus.hidden = m.notify === 'default';
    },
  };
}
