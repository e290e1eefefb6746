import { TestBed } from '@angular/core/testing';
import { DateAdapter } from '@angular/material/core';
import { DayDateAdapter, provideDayDateAdapter } from './day-date-adapter';

describe('DayDateAdapter', () => {
  let adapter: DateAdapter<Date>;

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideDayDateAdapter()] });
    adapter = TestBed.inject(DateAdapter<Date>);
  });

  it('should be the adapter the audit log provides', () => {
    expect(adapter).toBeInstanceOf(DayDateAdapter);
  });

  it('should read a typed YYYY-MM-DD as that day here, at local midnight, in any time zone', () => {
    const day = adapter.parse('2026-03-01', null);

    expect(day?.getTime()).toBe(new Date(2026, 2, 1).getTime());
    expect(adapter.parse(' 2026-03-01 ', null)?.getTime()).toBe(day?.getTime());
    expect(adapter.format(day!, { year: 'numeric', month: 'numeric', day: 'numeric' })).toBe('3/1/2026');
  });

  it('should refuse a YYYY-MM-DD that is not a day rather than roll it over', () => {
    const day = adapter.parse('2026-02-30', null);

    expect(day).not.toBeNull();
    expect(adapter.isValid(day!)).toBe(false);
  });

  it('should still read the format its hint shows (MM/DD/YYYY) and nothing for an empty field', () => {
    expect(adapter.parse('3/1/2026', null)?.getTime()).toBe(new Date(2026, 2, 1).getTime());
    expect(adapter.parse('', null)).toBeNull();
  });
});
