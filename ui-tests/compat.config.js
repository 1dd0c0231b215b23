/**
 * Playwright for scripts/compat.sh: the server is started there, one per version; Debian's
 * Chromium as in the Galata config.
 */
module.exports = {
  testDir: './compat',
  timeout: 180000,
  retries: 0,
  reporter: 'list',
  use: {
    viewport: { width: 1366, height: 768 },
    video: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update']
    }
  }
};
