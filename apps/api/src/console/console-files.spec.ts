import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleFiles } from './console-files.js';

describe('ConsoleFiles', () => {
  let root: string;
  let files: ConsoleFiles;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'console-files-'));
    await mkdir(join(root, 'media'));
    await writeFile(join(root, 'index.html'), '<app-root ngCspNonce="__CSP_NONCE__"></app-root><script nonce="__CSP_NONCE__"></script>');
    await writeFile(join(root, 'main-ABCDEFGH.js'), '');
    await writeFile(join(root, 'media', 'font-ABCDEFGH.woff2'), '');
    await writeFile(join(root, '.env'), 'SECRET=1');
    files = new ConsoleFiles(root);
  });

  afterAll(() => rm(root, { recursive: true, force: true }));

  describe('indexHtml', () => {
    it('should put the nonce in every placeholder', async () => {
      expect(await files.indexHtml('n0nce')).toBe('<app-root ngCspNonce="n0nce"></app-root><script nonce="n0nce"></script>');
    });
  });

  describe('resolve', () => {
    it('should find files of the build', async () => {
      expect(await files.resolve('/main-ABCDEFGH.js')).toBe('main-ABCDEFGH.js');
      expect(await files.resolve('/media/font-ABCDEFGH.woff2')).toBe('media/font-ABCDEFGH.woff2');
    });

    it('should never resolve traversal, dot-files, NUL or directories', async () => {
      for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/.env', '/media', '/x%00.js', '/%5c..%5cpackage.json']) {
        expect(await files.resolve(path)).toBeNull();
      }
    });
  });
});
