import type { Page } from 'playwright-core';

export class AdminUsersPage {
  constructor(readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('/admin/users');
    await this.page.getByTestId('users-table').waitFor();
  }

  /** Types into the search field and waits for the filtered page to arrive. */
  async search(text: string): Promise<void> {
    const answered = this.page.waitForResponse(
      (response) => response.url().includes('/api/admin/users?') && new URL(response.url()).searchParams.get('search') === text,
    );
    await this.page.getByLabel('Search by email').fill(text);
    await answered;
    await this.page.waitForFunction(
      (email) => [...document.querySelectorAll('[data-testid=users-table] tbody tr')].every((row) => row.textContent?.includes(email)),
      text,
    );
  }

  async openUser(email: string): Promise<AdminUserPage> {
    await this.page.getByRole('link', { name: email }).click();
    await this.page.getByRole('heading', { level: 1, name: email }).waitFor();
    // The sessions arrive after the heading: wait for the table to show them (or say there are none).
    await this.page.locator('[data-testid=session-row], [data-testid=no-sessions]').first().waitFor();
    return new AdminUserPage(this.page);
  }
}

export class AdminUserPage {
  constructor(readonly page: Page) {}

  rows() {
    return this.page.getByTestId('user-sessions').getByTestId('session-row');
  }

  async select(label: string | RegExp): Promise<void> {
    await this.page.getByRole('checkbox', { name: label }).check();
  }

  /** Revokes the selection; the note goes in the dialog's note field. */
  async revokeSelected(note?: string): Promise<void> {
    await this.page.getByTestId('revoke-selected').click();
    await this.confirm('Revoke selected', note);
  }

  async revokeAll(note?: string): Promise<void> {
    await this.page.getByTestId('revoke-all').click();
    await this.confirm('Revoke all', note);
  }

  async confirm(button: string, note?: string): Promise<void> {
    const dialog = this.page.getByRole('dialog');
    if (note) await dialog.getByLabel('Note for the audit log (optional)').fill(note);
    await dialog.getByRole('button', { name: button }).click();
  }
}
