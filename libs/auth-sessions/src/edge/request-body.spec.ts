import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { HttpRequest } from './http-edge.js';
import { ANY_BODY, assertReadableBody, JSON_AND_FORM_BODIES, unreadableBodyProblem } from './request-body.js';

function request(method: string, headers: Record<string, string>, body?: unknown): HttpRequest {
  return { method, headers, body };
}

describe('unreadableBodyProblem', () => {
  const json = { 'content-type': 'application/json', 'content-length': '20' };

  it('should accept a parsed body of an accepted type, with parameters and in any case', () => {
    expect(unreadableBodyProblem(request('POST', json, { keepCurrent: true }), JSON_AND_FORM_BODIES)).toBeUndefined();
    const form = { 'content-type': 'Application/X-WWW-Form-Urlencoded; charset=utf-8', 'content-length': '9' };
    expect(unreadableBodyProblem(request('POST', form, { _csrf: 'x' }), JSON_AND_FORM_BODIES)).toBeUndefined();
  });

  it('should refuse a body of a type the route does not read, naming both types', () => {
    const plain = { 'content-type': 'text/plain;charset=UTF-8', 'content-length': '20' };
    expect(unreadableBodyProblem(request('POST', plain), JSON_AND_FORM_BODIES)).toBe(
      'The body must be application/json or application/x-www-form-urlencoded, not text/plain.',
    );
    const form = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '9' };
    expect(unreadableBodyProblem(request('POST', form, { email: 'x' }), ['application/json'])).toBe(
      'The body must be application/json, not application/x-www-form-urlencoded.',
    );
  });

  it('should refuse a body with no content type, and a chunked one of the wrong type', () => {
    expect(unreadableBodyProblem(request('DELETE', { 'content-length': '2' }), JSON_AND_FORM_BODIES)).toMatch(/names no content type/);
    expect(unreadableBodyProblem(request('POST', { 'transfer-encoding': 'chunked', 'content-type': 'application/xml' }), JSON_AND_FORM_BODIES)).toMatch(
      /not application\/xml/,
    );
  });

  it("should refuse a body of an accepted type that the host's parsers left unread", () => {
    expect(unreadableBodyProblem(request('POST', json), JSON_AND_FORM_BODIES)).toMatch(
      /does not read application\/json bodies here \(no body parser for it is on\)/,
    );
  });

  it('should let requests without a body through, whatever they claim', () => {
    expect(unreadableBodyProblem(request('POST', { 'content-type': 'text/plain', 'content-length': '0' }), JSON_AND_FORM_BODIES)).toBeUndefined();
    expect(unreadableBodyProblem(request('POST', {}), JSON_AND_FORM_BODIES)).toBeUndefined();
    expect(unreadableBodyProblem(request('GET', { 'content-type': 'text/plain', 'content-length': '5' }), JSON_AND_FORM_BODIES)).toBeUndefined();
  });

  it('should leave a route that checks its own body alone', () => {
    const set = { 'content-type': 'application/secevent+jwt', 'content-length': '300' };
    expect(unreadableBodyProblem(request('POST', set), [ANY_BODY])).toBeUndefined();
  });

  it('should answer 415 in the error shape of the contract', () => {
    const plain = { 'content-type': 'text/plain', 'content-length': '2' };
    expect(() => assertReadableBody(request('POST', plain), JSON_AND_FORM_BODIES)).toThrow(UnsupportedMediaTypeException);
    try {
      assertReadableBody(request('POST', plain), JSON_AND_FORM_BODIES);
    } catch (error) {
      expect((error as UnsupportedMediaTypeException).getResponse()).toEqual({
        statusCode: 415,
        message: 'The body must be application/json or application/x-www-form-urlencoded, not text/plain.',
        error: 'Unsupported Media Type',
      });
    }
  });

  it('should tell the host, not only the client, when no body parser of the host read an accepted type', () => {
    const told: string[] = [];
    const tell = (type: string) => told.push(type);

    expect(() => assertReadableBody(request('POST', { 'content-type': 'application/json', 'content-length': '20' }), JSON_AND_FORM_BODIES, tell)).toThrow(
      UnsupportedMediaTypeException,
    );
    expect(() => assertReadableBody(request('POST', { 'content-type': 'text/plain', 'content-length': '20' }), JSON_AND_FORM_BODIES, tell)).toThrow(
      UnsupportedMediaTypeException,
    );
    assertReadableBody(request('POST', { 'content-type': 'application/json', 'content-length': '20' }, {}), JSON_AND_FORM_BODIES, tell);

    // Only the first is the host's fault: text/plain is the client's, and a parsed body is no fault.
    expect(told).toEqual(['application/json']);
  });
});
