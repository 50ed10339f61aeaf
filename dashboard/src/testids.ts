/** Stable hooks for browser tests (docs/dashboard.md). Renaming one is a breaking change for test/. */
export const TEST_IDS = {
  pumpCard: 'pump-card',
  alertRow: 'alert-row',
  ackButton: 'ack-button',
  snoozeButton: 'snooze-button',
  snoozeNote: 'snooze-note',
  escalation: 'escalation',
  connectionBanner: 'connection-banner',
  nurseName: 'nurse-name',
  soundStatus: 'sound-status',
  pumpDetail: 'pump-detail',
  pumpDetailCard: 'pump-detail-card',
  chart: 'pump-chart',
  chartStatus: 'chart-status',
  rangeOption: 'range-option',
  alertMarker: 'alert-marker',
} as const;
