import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium; playwright-core never downloads a browser of its own. */
const CHROMIUM = process.env.PUMPWATCH_CHROMIUM ?? '/usr/bin/chromium';

/** Where screenshots of browser tests are saved (kept as CI artifacts). */
export const ARTIFACTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../artifacts/screenshots');

export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Flags this sandboxed, offline machine needs (see README): no sandbox as root, no GPU, and no
    // background connections that the closed network would refuse. Playwright itself gives every
    // launch a fresh temporary profile (--user-data-dir).
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export function screenshotPath(name: string): string {
  return join(ARTIFACTS_DIR, `${name}.png`);
}
