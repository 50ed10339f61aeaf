import { describe, expect, it } from 'vitest';
import { parseServerConfig } from '../src/config.js';

describe('paging config', () => {
  it('defaults to Web Push only, https endpoints only, with TTLs per priority', () => {
    const { paging } = parseServerConfig({});
    expect(paging.email).toBeUndefined();
    expect(paging.smsWebhook).toBeUndefined();
    expect(paging.push).toEqual({
      subject: 'mailto:pumpwatch@localhost',
      ttlSeconds: { high: 600, medium: 3600, low: 14_400 },
      allowLoopbackEndpoints: false,
    });
    expect(paging.publicRateLimit).toEqual({ max: 60, windowMs: 60_000 });
  });

  it('takes SMTP and the SMS gateway with their defaults, and names every bad field at once', () => {
    const { paging } = parseServerConfig({
      paging: {
        email: { host: 'smtp.example.org', from: 'pumpwatch <alerts@example.org>' },
        smsWebhook: { url: 'https://sms.example.org/hook', secret: 's'.repeat(32) },
      },
    });
    expect(paging.email).toMatchObject({ host: 'smtp.example.org', port: 587, secure: false });
    expect(paging.smsWebhook).toMatchObject({ retry: { attempts: 5 } });
    expect(paging.smsWebhook?.inboundToken).toBeUndefined();
    let issues: Array<{ path: string }> = [];
    try {
      parseServerConfig({
        paging: {
          push: { subject: 'ftp://x' },
          smsWebhook: { url: 'not a url', secret: 'short', inboundToken: 'short' },
        },
      });
    } catch (error) {
      expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
      issues = (error as { details: Array<{ path: string }> }).details;
    }
    expect(issues.map((issue) => issue.path).sort()).toEqual([
      'paging.push.subject',
      'paging.smsWebhook.inboundToken',
      'paging.smsWebhook.secret',
      'paging.smsWebhook.url',
    ]);
  });
});
