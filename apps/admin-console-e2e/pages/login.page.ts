import type { Page } from 'playwright-core';

export class LoginPage {
  constructor(readonly page: Page) {}

  async open(query = ''): Promise<void> {
    await this.page.goto(`/login${query}`);
  }

  async signIn(email: string, password: string, options: { rememberMe?: boolean } = {}): Promise<void> {
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByLabel('Password').fill(password);
    if (options.rememberMe) await this.page.getByLabel('Remember me').check();
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  notice() {
    return this.page.getByTestId('login-notice');
  }
}
