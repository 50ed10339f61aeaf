/** Stable hooks for browser tests (docs/dashboard.md). Renaming one is a breaking change for test/. */
export const TEST_IDS = {
  pumpCard: 'pump-card',
  alertRow: 'alert-row',
  ackButton: 'ack-button',
  connectionBanner: 'connection-banner',
  nurseName: 'nurse-name',
} as const;
