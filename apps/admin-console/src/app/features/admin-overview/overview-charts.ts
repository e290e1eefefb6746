import type { ChartConfiguration } from 'chart.js';
import type { AdminOverviewShape } from '@signoff/auth-sessions-api-types';
import { SESSION_END_REASONS, type SessionEndReason } from '../../shared/sessions/session';
import { endReasonLabel } from '../../shared/sessions/end-reason-text';
import { deviceTypeLabel } from '../../shared/sessions/device-icons';

export type Overview = AdminOverviewShape;

// Canvas cannot read the theme's CSS variables (they are light-dark() pairs), so the charts get fixed colours
// with enough contrast on the light surface.
const PRIMARY = '#005cbb';
const SIGN_IN = '#1b6e3a';
const REASON_COLOURS: Record<SessionEndReason, string> = {
  logout: '#5b6472',
  logout_everywhere: '#8a5a00',
  revoked_by_user: '#b3261e',
  revoked_by_admin: '#7d1f9e',
  password_change: '#00658f',
  email_change: '#3f6ad8',
  security_concern: '#c2185b',
  refresh_token_reuse: '#e65100',
  expired_idle: '#9aa3ad',
  expired_absolute: '#6b7c8f',
  replaced: '#c6a700',
  idp_logout: '#2e7d32',
};
const SLICES = ['#005cbb', '#1b6e3a', '#8a5a00', '#7d1f9e', '#b3261e', '#00658f', '#6b7c8f', '#c2185b', '#9aa3ad', '#3f6ad8'];

const dayFormat = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** "Mar 1" for a UTC `YYYY-MM-DD`. */
export function dayLabel(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? day : dayFormat.format(date);
}

const base = {
  responsive: true,
  maintainAspectRatio: false,
  animation: false,
} as const;

export function activeChart(overview: Overview): ChartConfiguration<'line'> {
  return {
    type: 'line',
    data: {
      labels: overview.days.map((day) => dayLabel(day.day)),
      datasets: [
        {
          label: 'Active sessions',
          data: overview.days.map((day) => day.activeSessions),
          borderColor: PRIMARY,
          backgroundColor: `${PRIMARY}22`,
          fill: true,
          tension: 0.25,
          pointRadius: 2,
        },
      ],
    },
    options: { ...base, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  };
}

/** The reasons that occur in the window, in the contract's order. */
export function reasonsIn(overview: Overview): SessionEndReason[] {
  return (SESSION_END_REASONS as readonly SessionEndReason[]).filter((reason) => overview.days.some((day) => (day.signOuts[reason] ?? 0) > 0));
}

export function signInsAndOutsChart(overview: Overview): ChartConfiguration<'bar'> {
  return {
    type: 'bar',
    data: {
      labels: overview.days.map((day) => dayLabel(day.day)),
      datasets: [
        { label: 'Sign-ins', data: overview.days.map((day) => day.signIns), backgroundColor: SIGN_IN, stack: 'in' },
        ...reasonsIn(overview).map((reason) => ({
          label: `Signed out: ${endReasonLabel(reason).toLowerCase()}`,
          data: overview.days.map((day) => day.signOuts[reason] ?? 0),
          backgroundColor: REASON_COLOURS[reason] ?? '#5b6472',
          stack: 'out',
        })),
      ],
    },
    options: {
      ...base,
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    },
  };
}

export function deviceTypeChart(overview: Overview): ChartConfiguration<'doughnut'> {
  return {
    type: 'doughnut',
    data: {
      labels: overview.byDeviceType.map((entry) => deviceTypeLabel(entry.type)),
      datasets: [{ data: overview.byDeviceType.map((entry) => entry.sessions), backgroundColor: SLICES }],
    },
    options: { ...base, plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } } },
  };
}

export function placeChart(overview: Overview): ChartConfiguration<'bar'> {
  return {
    type: 'bar',
    data: {
      labels: overview.byPlace.map((entry) => entry.place),
      datasets: [{ label: 'Active sessions', data: overview.byPlace.map((entry) => entry.sessions), backgroundColor: PRIMARY }],
    },
    options: {
      ...base,
      indexAxis: 'y',
      plugins: { legend: { display: false } },
      // Chart.js cuts long axis labels off at the canvas edge (on a phone, "London, England, United
      // Kingdom" showed as "on, England, United Kingdom"): the axis names the city, the tooltip and
      // the table below the chart the whole place.
      scales: {
        x: { beginAtZero: true, ticks: { precision: 0 } },
        y: { ticks: { callback: (_value, index) => placeTick(overview.byPlace[index]?.place ?? '') } },
      },
    },
  };
}

const PLACE_TICK_LENGTH = 20;

/** A place as the chart's axis shows it: whole when short, else its first part (the city), cut with an ellipsis if still long. */
export function placeTick(place: string): string {
  if (place.length <= PLACE_TICK_LENGTH) return place;
  const first = place.split(',')[0].trim();
  return first.length <= PLACE_TICK_LENGTH ? first : `${first.slice(0, PLACE_TICK_LENGTH - 1)}…`;
}
