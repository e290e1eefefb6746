import type { Page } from 'playwright-core';

export class DevicesPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('/devices');
    await this.rows().first().waitFor();
  }

  rows() {
    return this.page.getByTestId('device-row');
  }

  row(text: string | RegExp) {
    return this.rows().filter({ hasText: text });
  }

  /** Signs out another device through its row and the confirm dialog. */
  async revoke(deviceName: string): Promise<void> {
    await this.page.getByRole('button', { name: `Sign out ${deviceName}` }).click();
    await this.page.getByRole('dialog').getByRole('button', { name: 'Sign out device' }).click();
  }

  async signOut(): Promise<void> {
    await this.page.getByTestId('logout').click();
  }
}
