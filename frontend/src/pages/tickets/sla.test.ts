import { describe, expect, it } from 'vitest';
import { currentTarget, formatSpan, readClock, readSla, type SlaClock, type SlaTicket } from './sla';

const NOW = Date.parse('2026-12-08T02:00:00Z');
const at = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();
const clock = (c: Partial<SlaClock>): SlaClock => ({ due_at: null, completed_at: null, remaining_minutes: null, breached: false, ...c });

function ticket(over: Partial<SlaTicket['sla']> = {}, warn: Partial<SlaTicket> = {}): SlaTicket {
  return {
    status: 'open',
    first_response_warn_at: at(-10),
    resolution_warn_at: at(80),
    ...warn,
    sla: {
      paused: false,
      first_response: clock({ due_at: at(20), remaining_minutes: 20 }),
      resolution: clock({ due_at: at(100), remaining_minutes: 100 }),
      ...over,
    },
  };
}

describe('SLA countdown', () => {
  it('counts down to the due time from the client clock', () => {
    const r = readClock(clock({ due_at: at(90) }), at(72), false, NOW);
    expect(r).toEqual({ state: 'ok', remainingMs: 90 * 60_000 });
    // a second later, a second less
    expect(readClock(clock({ due_at: at(90) }), at(72), false, NOW + 1000).remainingMs).toBe(90 * 60_000 - 1000);
  });

  it('warns from the 80% instant on', () => {
    expect(readClock(clock({ due_at: at(10) }), at(-1), false, NOW).state).toBe('warning');
    expect(readClock(clock({ due_at: at(10) }), at(0), false, NOW).state).toBe('warning');
    expect(readClock(clock({ due_at: at(10) }), at(1), false, NOW).state).toBe('ok');
    expect(readClock(clock({ due_at: at(10) }), null, false, NOW).state).toBe('ok');
  });

  it('is breached past the due time, with the overdue time negative', () => {
    const r = readClock(clock({ due_at: at(-5) }), at(-20), false, NOW);
    expect(r).toEqual({ state: 'breached', remainingMs: -5 * 60_000 });
  });

  it('is paused while pending, showing the business time left when it stopped', () => {
    const r = readClock(clock({ due_at: at(-60), remaining_minutes: 45 }), at(-90), true, NOW);
    expect(r).toEqual({ state: 'paused', remainingMs: 45 * 60_000 });
  });

  it('is met or missed once done, and none without a target', () => {
    expect(readClock(clock({ due_at: at(-5), completed_at: at(-10) }), null, false, NOW).state).toBe('met');
    expect(readClock(clock({ due_at: at(-5), completed_at: at(-1), breached: true }), null, false, NOW).state).toBe('missed');
    expect(readClock(clock({}), null, false, NOW)).toEqual({ state: 'none', remainingMs: null });
  });

  it('pauses only the resolution clock, and lists the owed first response first', () => {
    const pending = ticket({ paused: true });
    const r = readSla(pending, NOW);
    expect(r.first_response.state).toBe('warning');
    expect(r.resolution.state).toBe('paused');
    expect(currentTarget(pending)).toBe('first_response');
    const answered = ticket({ first_response: clock({ due_at: at(20), completed_at: at(-30) }) });
    expect(currentTarget(answered)).toBe('resolution');
    expect(readSla(answered, NOW).first_response.state).toBe('met');
  });

  it('formats spans for people', () => {
    expect(formatSpan(2 * 86_400_000 + 4 * 3_600_000 + 5000)).toBe('2d 4h');
    expect(formatSpan(3 * 3_600_000 + 5 * 60_000)).toBe('3h 05m');
    expect(formatSpan(-(12 * 60_000 + 9000))).toBe('12m 09s');
  });
});
