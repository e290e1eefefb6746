import type { Page } from 'playwright-core';
import { signOutThroughUi } from '../helpers/flows.js';

export class DevicesPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('/devices');
    await this.rows().first().waitFor();
  }

  /** One row per active session (inside its device's card). */
  rows() {
    return this.page.getByTestId('active-devices').getByTestId('session-row');
  }

  row(text: string | RegExp) {
    return this.rows().filter({ hasText: text });
  }

  /** The device cards of the active sessions. */
  groups() {
    return this.page.getByTestId('active-devices').getByTestId('device-group');
  }

  /** Signs out another device through its row and the confirm dialog. */
  async revoke(deviceName: string): Promise<void> {
    await this.page.getByRole('button', { name: `Sign out ${deviceName}` }).click();
    await this.page.getByRole('dialog').getByRole('button', { name: 'Sign out device' }).click();
  }

  async signOut(): Promise<void> {
    await signOutThroughUi(this.page);
  }
}
