import { HttpTestingController } from '@angular/common/http/testing';
import { Directive, input } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BaseChartDirective } from 'ng2-charts';
import { nextRequest } from '../../../testing/http';
import { provideConsoleTesting } from '../../../testing/testing-providers';
import { AdminOverview } from './admin-overview';
import { placeChart, placeTick, signInsAndOutsChart, type Overview } from './overview-charts';

/** jsdom has no canvas: a stand-in with the chart's inputs records what each chart was given. */
// eslint-disable-next-line @angular-eslint/directive-selector -- it stands in for ng2-charts' directive, so it must match its selector
@Directive({ selector: 'canvas[baseChart]' })
class FakeChart {
  readonly type = input<string>();
  readonly data = input<unknown>();
  readonly options = input<unknown>();
}

function overview(): Overview {
  const days = Array.from({ length: 30 }, (_, index) => ({
    day: new Date(Date.UTC(2026, 2, 1 + index)).toISOString().slice(0, 10),
    activeSessions: 100 + index,
    signIns: index === 29 ? 12 : 3,
    signOuts: index === 29 ? { logout: 4, revoked_by_admin: 1 } : { expired_idle: 2 },
  }));
  return {
    generatedAt: '2026-03-30T12:00:00.000Z',
    activeSessions: 128,
    days,
    byDeviceType: [
      { type: 'desktop', sessions: 90 },
      { type: 'mobile', sessions: 38 },
    ],
    byPlace: [
      { place: 'Lyon, Auvergne-Rhône-Alpes, France', sessions: 70 },
      { place: 'Local network', sessions: 50 },
      { place: 'Unknown', sessions: 8 },
    ],
    recentRevocations: [
      {
        id: 'e1',
        type: 'logout_everywhere',
        at: new Date(Date.now() - 60_000).toISOString(),
        actor: { id: 'a1', email: 'admin@example.com' },
        user: { id: '6f9f3b9e-2c54-4a8e-9d59-1b1f7c4c9a11', email: 'ada@example.com' },
        reason: 'revoked_by_admin',
        note: 'Offboarding',
        count: 3,
      },
    ],
  };
}

describe('AdminOverview', () => {
  // A host without a geolocation database has only the server's own buckets: crediting DB-IP there
  // would claim a source the page does not use.
  it('should credit DB-IP only when some place came from it', async () => {
    TestBed.configureTestingModule({ providers: [provideConsoleTesting()] });
    TestBed.overrideComponent(AdminOverview, { remove: { imports: [BaseChartDirective] }, add: { imports: [FakeChart] } });
    const fixture = TestBed.createComponent(AdminOverview);
    const local = [
      { place: 'Local network', sessions: 6 },
      { place: 'Unknown', sessions: 1 },
    ];
    (await nextRequest(TestBed.inject(HttpTestingController), { url: '/api/admin/overview' })).flush({ ...overview(), byPlace: local });
    await fixture.whenStable();

    const places = (fixture.nativeElement as HTMLElement).querySelector('[data-testid=chart-places]')?.textContent;
    expect(places).toContain('Local network');
    expect(places).not.toContain('DB-IP');
  });

  it('should show today in numbers, four charts with their numbers as text, and the latest revocations', async () => {
    TestBed.configureTestingModule({ providers: [provideConsoleTesting()] });
    TestBed.overrideComponent(AdminOverview, { remove: { imports: [BaseChartDirective] }, add: { imports: [FakeChart] } });
    const fixture = TestBed.createComponent(AdminOverview);
    (await nextRequest(TestBed.inject(HttpTestingController), { url: '/api/admin/overview' })).flush(overview());
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;

    const stats = [...element.querySelectorAll('.stat')].map((stat) => [...stat.children].map((part) => part.textContent?.trim()).join(' '));
    expect(stats).toEqual(['128 active sessions now', '12 sign-ins today', '5 sign-outs today']);
    const canvases = [...element.querySelectorAll('canvas')];
    expect(canvases).toHaveLength(4);
    expect(canvases.every((canvas) => canvas.getAttribute('role') === 'img' && canvas.getAttribute('aria-label'))).toBe(true);
    expect(canvases[0].getAttribute('aria-label')).toBe('Active sessions per day, from 100 to 129 today');
    expect(element.querySelector('[data-testid=chart-places]')?.textContent).toContain('Lyon, Auvergne-Rhône-Alpes, France');
    expect(element.querySelector('[data-testid=chart-places]')?.textContent).toContain('IP Geolocation by DB-IP');
    expect(element.querySelector('[data-testid=chart-devices]')?.textContent).toMatch(/Desktop\s*90\s*Phone\s*38/);
    const revocation = element.querySelector('[data-testid=revocation-row]')?.textContent?.replace(/\s+/g, ' ');
    expect(revocation).toMatch(/Logout everywhere \(3 sessions\)/);
    expect(revocation).toContain('ada@example.com');
    expect(revocation).toContain('Offboarding');
  });
});

describe('signInsAndOutsChart', () => {
  it('should stack sign-outs by reason beside the sign-ins, one dataset per reason that occurs', () => {
    const chart = signInsAndOutsChart(overview());
    expect(chart.data.labels?.[0]).toBe('Mar 1');
    expect(chart.data.datasets.map((dataset) => [dataset.label, dataset.stack])).toEqual([
      ['Sign-ins', 'in'],
      ['Signed out: signed out', 'out'],
      ['Signed out: revoked by an administrator', 'out'],
      ['Signed out: expired (inactive)', 'out'],
    ]);
    expect(chart.data.datasets[3].data.slice(0, 2)).toEqual([2, 2]);
    expect(chart.options?.scales?.['y']).toMatchObject({ stacked: true });
  });

  it.each([
    ['Local network', 'Local network'],
    ['London, England, United Kingdom', 'London'],
    ['Llanfairpwllgwyngyllgogerychwyrndrobwll, Wales, United Kingdom', 'Llanfairpwllgwyngyl…'],
  ])('should name %s on the places axis as %s', (place, tick) => {
    expect(placeTick(place)).toBe(tick);
    const chart = placeChart({ ...overview(), byPlace: [{ place, sessions: 1 }] });
    const callback = chart.options?.scales?.['y']?.ticks?.callback as unknown as (value: number, index: number) => string;
    expect(callback(0, 0)).toBe(tick);
    expect(chart.data.labels).toEqual([place]);
  });
});
