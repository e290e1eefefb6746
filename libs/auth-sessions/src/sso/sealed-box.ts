import { hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Authenticated encryption of small JSON values (JWE compact, `dir` + A256GCM, through jose) with a
 * key derived by HKDF-SHA256 from the client secret and a purpose. The secret lives in the host's
 * configuration, not in the database, so a database dump reveals neither a sign-in's PKCE verifier
 * nor a stored ID token; each purpose has its own key, so one kind of value never opens as another.
 */
export class SealedBox {
  private readonly key: Uint8Array;

  constructor(secret: string, issuer: string, purpose: 'sign-in-state' | 'logout-hint' | 'logout-state') {
    this.key = new Uint8Array(hkdfSync('sha256', secret, issuer, `signoff/sso/${purpose}`, 32));
  }

  /** Encrypts `value` (JSON) into a compact JWE. */
  seal(value: unknown): Promise<string> {
    return new CompactEncrypt(encoder.encode(JSON.stringify(value))).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(this.key);
  }

  /** Decrypts what `seal` made with the same key; null for anything else (tampered, other key, not a JWE). */
  async open<T>(sealed: unknown): Promise<T | null> {
    if (typeof sealed !== 'string' || sealed.length === 0 || sealed.length > 16_384) return null;
    try {
      const { plaintext } = await compactDecrypt(sealed, this.key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      return JSON.parse(decoder.decode(plaintext)) as T;
    } catch {
      return null;
    }
  }
}
