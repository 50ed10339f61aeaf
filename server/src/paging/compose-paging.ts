import type { Alert } from '@pumpwatch/protocol';
import type { Notifier } from '../alerts/notifiers/notifier.js';
import { WebhookNotifier } from '../alerts/notifiers/webhook-notifier.js';
import type { SecurityServices } from '../auth/security-services.js';
import type { CareService } from '../care/care-service.js';
import type { ServerConfig } from '../config.js';
import type { ErrorSink } from '../guard.js';
import type { OnCallService } from '../oncall/oncall-service.js';
import type { Store } from '../store/ports.js';
import type { Quarantine } from '../store/quarantine.js';
import type { Ward } from '../ward/compose-ward.js';
import { alertUrl, type PagingChannels } from './channels/open-paging-channels.js';
import { onCallAnswers } from './oncall-answers.js';
import { PagingService } from './paging-service.js';
import { teamAlarms } from './unreachable.js';

export interface ComposedPaging {
  service: PagingService;
  /** The dashboard's address for links in pages, once the server knows it (`paging.publicUrl` wins). */
  setBaseUrl(url: string): void;
}

/**
 * The paging engine with its parts: on call's answers, the channels, the config tiers' webhooks, the
 * page records and the ward's nobody_reachable alarm. Restored from the store and listening on the
 * ward's bus; its timer starts with the server (`service.start()`).
 */
export async function composePaging(deps: {
  config: ServerConfig;
  store: Pick<Store, 'alerts' | 'oncall'>;
  ward: Ward;
  care: CareService;
  oncall: OnCallService;
  channels: PagingChannels;
  security: SecurityServices;
  quarantine: Quarantine;
  now: () => number;
  onError: ErrorSink;
  /** Wraps the config tiers' webhooks (the server's metrics count their outcomes: metrics/). */
  wrapWebhooks?: (webhooks: Notifier) => Notifier;
}): Promise<ComposedPaging> {
  const { config, ward, now } = deps;
  let baseUrl = config.paging.publicUrl ?? `http://${config.http.host}:${config.http.port}`;
  const service = new PagingService({
    oncall: onCallAnswers({
      oncall: deps.oncall,
      escalation: config.escalation,
      admins: async () =>
        (await deps.security.users.list())
          .filter((user) => user.role === 'admin')
          .map((user) => user.username),
      teamExists: (teamId) => deps.care.directory.team(teamId) !== undefined,
    }),
    channels: deps.channels.channels,
    webhooks: (deps.wrapWebhooks ?? ((webhooks) => webhooks))(new WebhookNotifier(config.escalation.webhook)),
    pages: deps.store.oncall.pages,
    alerts: deps.store.alerts,
    current: (alertId) => ward.shell.openAlert(alertId),
    setTeamUnreachable: teamAlarms({
      teamName: (teamId) => deps.care.directory.team(teamId)?.name ?? teamId,
      set: (teamId, condition) => ward.shell.setTeamUnreachable(teamId, condition),
      alarmed: ward.shell
        .openAlerts()
        .filter((alert: Alert) => alert.rule === 'nobody_reachable')
        .map((alert) => alert.pumpId),
    }),
    alertUrl: (alertId) => alertUrl(baseUrl, alertId),
    now,
    onError: deps.onError,
  });
  await service.restore(deps.quarantine.badRows('care'));
  service.listen(ward.bus);
  deps.channels.receiptListeners.push((report) => service.recordReport(report));
  return {
    service,
    setBaseUrl: (url) => {
      if (!config.paging.publicUrl) baseUrl = url;
    },
  };
}
