import { formatPlace } from './mmdb-place-lookup.js';
import { isLocalNetworkAddress, LOCAL_NETWORK_PLACE, type PlaceLookup } from './place-lookup.js';
import { Places } from './places.service.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';

function places(lookup: PlaceLookup | false | null): Places {
  return new Places({ places: lookup } as ResolvedAuthSessionsOptions);
}

describe('isLocalNetworkAddress', () => {
  it.each(['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.20', '127.0.0.1', '169.254.10.1', '::1', 'fd12:3456::1', 'fe80::1', '::ffff:192.168.0.7'])(
    'should call %s local',
    (ip) => expect(isLocalNetworkAddress(ip)).toBe(true),
  );

  it.each(['8.8.8.8', '172.32.0.1', '193.0.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', 'not an ip', ''])('should not call %s local', (ip) =>
    expect(isLocalNetworkAddress(ip)).toBe(false),
  );
});

describe('formatPlace', () => {
  it('should read the ip-location-db layout as city, region, country, without district brackets', () => {
    expect(formatPlace({ city: 'Amsterdam (Amsterdam-Centrum)', state1: 'North Holland', country_code: 'NL' })).toBe('Amsterdam, North Holland, Netherlands');
  });

  it('should read the MaxMind City layout and drop repeated parts', () => {
    expect(
      formatPlace({
        city: { names: { en: 'Singapore' } },
        subdivisions: [{ names: { en: 'Singapore' } }],
        country: { iso_code: 'SG', names: { en: 'Singapore' } },
      }),
    ).toBe('Singapore');
  });

  it('should answer null for a record without names', () => {
    expect(formatPlace({})).toBeNull();
  });
});

describe('Places', () => {
  describe('locate', () => {
    it('should say "Local network" for private and loopback addresses without asking the lookup', async () => {
      const asked: string[] = [];
      const lookup = { lookup: (ip: string) => (asked.push(ip), 'Nowhere') };
      expect(await places(lookup).locate('192.168.1.20')).toBe(LOCAL_NETWORK_PLACE);
      expect(await places(null).locate('127.0.0.1')).toBe(LOCAL_NETWORK_PLACE);
      expect(asked).toEqual([]);
    });

    it("should answer the lookup's place for a public address", async () => {
      expect(await places({ lookup: async () => 'Lyon, Auvergne-Rhône-Alpes, France' }).locate('8.8.8.8')).toBe('Lyon, Auvergne-Rhône-Alpes, France');
    });

    it('should answer null when places are off, even for a private address', async () => {
      expect(await places(false).locate('10.0.0.1')).toBeNull();
    });

    it('should answer null, never throw, when the lookup fails or is slow', async () => {
      expect(await places({ lookup: () => Promise.reject(new Error('boom')) }).locate('8.8.8.8')).toBeNull();
      const started = Date.now();
      expect(await places({ lookup: () => new Promise<string>((resolve) => setTimeout(() => resolve('late'), 2000)) }).locate('8.8.8.8')).toBeNull();
      expect(Date.now() - started).toBeLessThan(1000);
    });
  });

  describe('start-up', () => {
    it("should run the lookup's preload as a method and wait for it before the app listens", async () => {
      // A lookup whose preload uses `this`, as MmdbPlaceLookup's does; until it has run, lookups hang.
      class SlowFileLookup implements PlaceLookup {
        private loaded = false;
        async preload(): Promise<void> {
          await new Promise((resolve) => setTimeout(resolve, 400));
          this.loaded = true;
        }
        lookup(): Promise<string | null> {
          return this.loaded ? Promise.resolve('Mountain View, California, United States') : new Promise(() => undefined);
        }
      }
      const service = places(new SlowFileLookup());
      service.onModuleInit();
      await service.onApplicationBootstrap();
      expect(await service.locate('8.8.8.8')).toBe('Mountain View, California, United States');
    });

    it('should start even when the preload fails', async () => {
      const service = places({ lookup: () => null, preload: () => Promise.reject(new Error('no file')) } as PlaceLookup);
      service.onModuleInit();
      await expect(service.onApplicationBootstrap()).resolves.toBeUndefined();
    });
  });
});
