import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import { NONCE_PLACEHOLDER } from './console-policy.js';

/** The built console (`ng build` output) on disk. */
export class ConsoleFiles {
  private index: { mtimeMs: number; html: string } | null = null;

  constructor(readonly root: string) {}

  async isBuilt(): Promise<boolean> {
    return (await this.fileStat('index.html')) !== null;
  }

  /** index.html with every nonce placeholder replaced. Re-read when the file changes (a rebuild under a running API). */
  async indexHtml(nonce: string): Promise<string | null> {
    const info = await this.fileStat('index.html');
    if (!info) return null;
    if (!this.index || this.index.mtimeMs !== info.mtimeMs) {
      this.index = { mtimeMs: info.mtimeMs, html: await readFile(join(this.root, 'index.html'), 'utf8') };
    }
    return this.index.html.replaceAll(NONCE_PLACEHOLDER, nonce);
  }

  /**
   * The path (relative to the root) of an existing regular file for a URL pathname, or null. Traversal
   * (`..`, encoded slashes, NUL) and dot-files never resolve.
   */
  async resolve(pathname: string): Promise<string | null> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return null;
    const relativePath = normalize(decoded).replace(/^[/\\]+/, '');
    if (!relativePath || relativePath.split(/[/\\]/).some((part) => part.startsWith('.'))) return null;
    const absolute = join(this.root, relativePath);
    const inside = relative(this.root, absolute);
    if (!inside || inside.startsWith('..') || isAbsolute(inside)) return null;
    const info = await this.fileStat(relativePath);
    return info?.isFile() ? inside.split(sep).join('/') : null;
  }

  /** The file's stat, or null when it does not exist. */
  async fileStat(relativePath: string) {
    try {
      return await stat(join(this.root, relativePath));
    } catch {
      return null;
    }
  }
}
