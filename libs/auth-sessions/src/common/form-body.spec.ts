import { LoginDto } from '../signin/sign-in.dto.js';
import { markFormBody } from './form-body.js';
import { InputValidationPipe } from './validation.js';

const pipe = new InputValidationPipe();
const login = (body: Record<string, unknown>) => pipe.transform(body, { type: 'body', metatype: LoginDto });
const credentials = { email: 'ada@example.com', password: 'correct horse battery staple' };
const form = (fields: Record<string, string>) => {
  const body = { ...credentials, ...fields };
  markFormBody(body);
  return body;
};

describe('FormBoolean (a checkbox in a form post)', () => {
  it.each([
    ['on', true],
    ['true', true],
    ['false', false],
  ])('should read %p in a form body as %p', async (text, expected) => {
    await expect(login(form({ rememberMe: text }))).resolves.toMatchObject({ rememberMe: expected });
  });

  it('should leave an unchecked checkbox (no field) absent', async () => {
    expect(await login(form({}))).not.toHaveProperty('rememberMe');
  });

  it.each(['yes', '1', '', 'ON'])('should refuse %p in a form body as not a boolean', async (text) => {
    await expect(login(form({ rememberMe: text }))).rejects.toMatchObject({ response: { message: ['rememberMe must be a boolean value'] } });
  });

  it('should refuse "on" and "true" in a JSON body: a string is the wrong type there', async () => {
    for (const text of ['on', 'true']) {
      await expect(login({ ...credentials, rememberMe: text })).rejects.toMatchObject({ response: { message: ['rememberMe must be a boolean value'] } });
    }
  });

  it('should add no property a client could see or send', () => {
    const body = form({});
    expect(Object.keys(body)).toEqual(['email', 'password']);
    expect(JSON.stringify(body)).toBe(JSON.stringify(credentials));
  });
});
