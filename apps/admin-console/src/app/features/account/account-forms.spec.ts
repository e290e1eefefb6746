import { HttpTestingController } from '@angular/common/http/testing';
import type { Type } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatFormFieldHarness } from '@angular/material/form-field/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { ClientSession } from '../../core/auth/client-session';
import { nextRequest, problem } from '../../../testing/http';
import { provideConsoleTesting } from '../../../testing/testing-providers';
import { EmailChange } from './email-change/email-change';
import { PasswordChange } from './password-change/password-change';

async function render<T>(component: Type<T>) {
  TestBed.configureTestingModule({ providers: [provideConsoleTesting()] });
  TestBed.inject(ClientSession).signedIn({ id: 'u1', email: 'ada@example.com', roles: [] });
  const fixture = TestBed.createComponent(component);
  await fixture.whenStable();
  return {
    fixture,
    loader: TestbedHarnessEnvironment.loader(fixture),
    http: TestBed.inject(HttpTestingController),
    element: fixture.nativeElement as HTMLElement,
  };
}

async function fieldsInError(loader: ReturnType<typeof TestbedHarnessEnvironment.loader>): Promise<string[]> {
  const labels: string[] = [];
  for (const field of await loader.getAllHarnesses(MatFormFieldHarness)) {
    if (await field.hasErrors()) labels.push((await field.getLabel()) ?? '?');
  }
  return labels;
}

describe('the credential forms', () => {
  it('should empty the password form after a successful change without showing every field in red', async () => {
    const { loader, http, element } = await render(PasswordChange);
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=currentPassword]' }))).setValue('correct horse battery staple');
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=newPassword]' }))).setValue('a brand new passphrase');
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=repeat]' }))).setValue('a brand new passphrase');
    const submit = (await loader.getHarness(MatButtonHarness.with({ text: /Change password/ }))).click();
    const request = await nextRequest(http, { method: 'POST', url: '/api/auth/password' });
    expect(request.request.body).toEqual({ currentPassword: 'correct horse battery staple', newPassword: 'a brand new passphrase' });
    request.flush({ revoked: 2 });
    await submit;
    for (const input of await loader.getAllHarnesses(MatInputHarness)) expect(await input.getValue()).toBe('');
    expect(await fieldsInError(loader)).toEqual([]);
    expect(element.querySelector('.error')).toBeNull();
    expect(document.body.textContent).toContain('Password changed. 2 other devices were signed out.');
  });

  it('should still show what is missing when an empty form is submitted', async () => {
    const { loader, http } = await render(PasswordChange);
    await (await loader.getHarness(MatButtonHarness.with({ text: /Change password/ }))).click();
    http.expectNone('/api/auth/password');
    expect(await fieldsInError(loader)).toEqual(['Current password', 'New password']);
  });

  it('should say a wrong current password in one line, keeping the form', async () => {
    const { loader, http, element } = await render(PasswordChange);
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=currentPassword]' }))).setValue('wrong');
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=newPassword]' }))).setValue('a brand new passphrase');
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=repeat]' }))).setValue('a brand new passphrase');
    const submit = (await loader.getHarness(MatButtonHarness.with({ text: /Change password/ }))).click();
    (await nextRequest(http, { url: '/api/auth/password' })).flush(problem(403, { code: 'invalid_password' }), { status: 403, statusText: 'Forbidden' });
    await submit;
    await vi.waitFor(() => expect(element.querySelector('p.error')?.textContent).toBe('The current password is not correct.'));
    expect(await fieldsInError(loader)).toEqual([]);
  });

  it('should empty the email form after a successful change without showing its fields in red, and update the signed-in email', async () => {
    const { loader, http } = await render(EmailChange);
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=newEmail]' }))).setValue('ada@new.example.com');
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=password]' }))).setValue('correct horse battery staple');
    const submit = (await loader.getHarness(MatButtonHarness.with({ text: /Change email/ }))).click();
    (await nextRequest(http, { method: 'POST', url: '/api/auth/email' })).flush({ revoked: 1 });
    await submit;
    expect(await fieldsInError(loader)).toEqual([]);
    expect(TestBed.inject(ClientSession).user()?.email).toBe('ada@new.example.com');
  });
});
