import { loadPromClient, type PromClient } from './prom-client.js';

describe('loadPromClient', () => {
  it('should name the package to install when prom-client is missing', async () => {
    const missing = Object.assign(new Error("Cannot find package 'prom-client'"), { code: 'ERR_MODULE_NOT_FOUND' });
    await expect(loadPromClient(() => Promise.reject(missing))).rejects.toThrow(/npm install prom-client/);
  });

  it('should pass any other failure through', async () => {
    await expect(loadPromClient(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });

  it('should load the installed prom-client', async () => {
    const prom: PromClient = await loadPromClient();
    expect(typeof prom.Registry).toBe('function');
  });
});
