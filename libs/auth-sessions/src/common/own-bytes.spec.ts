import pg from 'pg';
import { getMetadataArgsStorage } from 'typeorm';
import { Session } from '../sessions/session.entity.js';
import { ownBytes } from './own-bytes.js';

// What the driver hands TypeORM for a bytea column: the text protocol's hex, decoded by pg's own parser.
const BYTEA_OID = 17;
const fromDriver = (bytes: Buffer): Buffer => pg.types.getTypeParser(BYTEA_OID)(`\\x${bytes.toString('hex')}`) as Buffer;

describe('ownBytes', () => {
  const hash = Buffer.from('9f'.repeat(32), 'hex');

  it("should copy a driver's bytea out of the shared pool into memory of its own", () => {
    const decoded = fromDriver(hash);
    // The premise: the driver's Buffer is a window on a larger pool chunk, which it keeps alive.
    expect(decoded.buffer.byteLength).toBeGreaterThan(decoded.length);
    const own = ownBytes.from(decoded) as Buffer;
    expect(own.equals(hash)).toBe(true);
    expect(own.buffer.byteLength).toBe(32);
    expect(own.byteOffset).toBe(0);
  });

  it('should keep null and write values unchanged', () => {
    expect(ownBytes.from(null)).toBeNull();
    expect(ownBytes.to(hash)).toBe(hash);
  });

  it("should be how a session's token hash is read (the session cache keeps sessions)", () => {
    const column = getMetadataArgsStorage().columns.find((args) => args.target === Session && args.propertyName === 'tokenHash');
    expect(column?.options.transformer).toBe(ownBytes);
  });
});
