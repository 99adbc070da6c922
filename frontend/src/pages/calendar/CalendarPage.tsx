import { useEffect, useMemo, useRef, useState } from 'react';
import { LeftOutlined, PlusOutlined, RightOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Calendar, Segmented, Select, Space, Spin, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useMe } from '../../auth';
import { useUrlFilters } from '../../components/lists';
import { ErrorState } from '../../components/states';
import { useUsers } from '../../directory';
import { can } from '../../permissions';
import AppointmentDialog from './AppointmentDialog';
import { addDays, monthSpan, placeWeek, sameDay, startOfWeek, weekDays } from './weekGrid';

type Activity = components['schemas']['ActivityOut'];

const HOUR_PX = 40;

function parseDay(raw: string | undefined): Date {
  const m = raw && /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : new Date();
}

function dayKey(d: Date): string {
  return dayjs(d).format('YYYY-MM-DD');
}

function spanOf(a: Activity): { start: Date; end: Date } {
  const start = new Date(a.starts_at ?? a.due_at ?? a.occurred_at);
  return { start, end: a.ends_at ? new Date(a.ends_at) : start };
}

function timeOf(d: Date, language: string): string {
  return d.toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit' });
}

export default function CalendarPage() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const queryClient = useQueryClient();
  const users = useUsers();
  const { filters, set } = useUrlFilters(['view', 'date', 'who'] as const);
  const view = filters.view === 'month' ? 'month' : 'week';
  const anchor = parseDay(filters.date);
  const who = filters.who ?? 'me';
  const [slot, setSlot] = useState<Date | null>(null);

  const anchorKey = dayKey(anchor);
  const span = useMemo(() => {
    const day = parseDay(anchorKey);
    if (view === 'month') return monthSpan(day);
    const from = startOfWeek(day);
    return { from, to: addDays(from, 7) };
  }, [view, anchorKey]);

  const calendar = useQuery({
    queryKey: ['activities', 'calendar', span.from.toISOString(), span.to.toISOString(), who],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/activities/calendar', {
          params: { query: { from: span.from.toISOString(), to: span.to.toISOString(), assignee: who === 'all' ? undefined : who } },
        }),
      ),
  });
  const items = useMemo(() => (calendar.data?.items ?? []).filter((a) => a.status !== 'cancelled'), [calendar.data]);

  function move(step: number) {
    const next = view === 'month' ? new Date(anchor.getFullYear(), anchor.getMonth() + step, 1) : addDays(anchor, 7 * step);
    set({ date: dayKey(next) });
  }

  const describe = (id: string) => {
    const a = items.find((x) => x.id === id);
    if (!a) return undefined;
    const { start, end } = spanOf(a);
    return `${a.subject} (${start.toLocaleString(i18n.language, { dateStyle: 'medium', timeStyle: 'short' })}–${timeOf(end, i18n.language)})`;
  };

  const title =
    view === 'month'
      ? anchor.toLocaleDateString(i18n.language, { year: 'numeric', month: 'long' })
      : `${span.from.toLocaleDateString(i18n.language, { dateStyle: 'medium' })} – ${addDays(span.from, 6).toLocaleDateString(i18n.language, { dateStyle: 'medium' })}`;

  return (
    <section aria-labelledby="calendar-title">
      <div className="page-header">
        <Typography.Title level={2} id="calendar-title">
          {t('calendar.title')}
        </Typography.Title>
        {can(me, 'activities:create') && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => {
              const d = new Date();
              d.setMinutes(0, 0, 0);
              d.setHours(d.getHours() + 1);
              setSlot(d);
            }}
          >
            {t('calendar.newAppointment')}
          </Button>
        )}
      </div>
      <div className="toolbar">
        <Segmented
          value={view}
          onChange={(v) => set({ view: v === 'month' ? 'month' : undefined })}
          options={[
            { value: 'week', label: t('calendar.week') },
            { value: 'month', label: t('calendar.month') },
          ]}
          data-testid="calendar-view"
        />
        <Space.Compact>
          <Button icon={<LeftOutlined />} aria-label={t('calendar.previous')} onClick={() => move(-1)} />
          <Button onClick={() => set({ date: undefined })}>{t('calendar.today')}</Button>
          <Button icon={<RightOutlined />} aria-label={t('calendar.next')} onClick={() => move(1)} />
        </Space.Compact>
        <Typography.Text strong style={{ alignSelf: 'center' }} data-testid="calendar-range">
          {title}
        </Typography.Text>
        {!!users.data?.length && (
          <Select
            aria-label={t('calendar.whose')}
            value={who}
            onChange={(v: string) => set({ who: v === 'me' ? undefined : v })}
            showSearch={{ optionFilterProp: 'label' }}
            style={{ width: 220 }}
            options={[
              { value: 'me', label: t('common.me') },
              { value: 'all', label: t('common.all') },
              ...users.data.filter((u) => u.active && u.id !== me.user.id).map((u) => ({ value: u.id, label: u.name })),
            ]}
          />
        )}
        {calendar.isFetching && <Spin size="small" />}
      </div>
      {calendar.isError ? (
        <ErrorState error={calendar.error} onRetry={() => void calendar.refetch()} />
      ) : view === 'week' ? (
        <WeekGrid start={span.from} items={items} onSlot={can(me, 'activities:create') ? setSlot : undefined} />
      ) : (
        <div data-testid="month-calendar">
          <Calendar
            value={dayjs(anchor)}
            headerRender={() => null}
            onSelect={(date, info) => {
              if (info.source !== 'date') return;
              if (date.month() !== anchor.getMonth()) {
                set({ date: date.format('YYYY-MM-DD') });
                return;
              }
              if (can(me, 'activities:create')) setSlot(date.hour(9).minute(0).second(0).millisecond(0).toDate());
            }}
            cellRender={(date, info) => {
              if (info.type !== 'date') return info.originNode;
              const day = date.toDate();
              const mine = items.filter((a) => sameDay(spanOf(a).start, day));
              return (
                <ul className="calendar-cell" data-testid={`month-day-${date.format('YYYY-MM-DD')}`}>
                  {mine.map((a) => (
                    <li key={a.id} className={a.kind === 'task' ? 'is-task' : 'is-appointment'} title={a.subject}>
                      {timeOf(spanOf(a).start, i18n.language)} {a.subject}
                    </li>
                  ))}
                </ul>
              );
            }}
          />
        </div>
      )}
      <AppointmentDialog
        open={!!slot}
        start={slot}
        describe={describe}
        onClose={() => setSlot(null)}
        onCreated={() => void queryClient.invalidateQueries({ queryKey: ['activities'] })}
      />
    </section>
  );
}

/** Seven day columns, 24 hour rows; click an hour to schedule there. Scrolls to 7:00 at first. */
function WeekGrid({ start, items, onSlot }: { start: Date; items: Activity[]; onSlot?: (at: Date) => void }) {
  const { t, i18n } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 7 * HOUR_PX;
  }, []);
  const days = weekDays(start);
  const appointments = items.filter((a) => a.kind === 'appointment');
  const tasks = items.filter((a) => a.kind !== 'appointment');
  const placed = placeWeek(appointments, spanOf, start);
  const today = new Date();
  const hours = Array.from({ length: 24 }, (_, h) => h);
  return (
    <div className="week-grid" data-testid="week-grid">
      <div className="week-head">
        <div className="week-gutter" />
        {days.map((d, i) => (
          <div key={i} className={`week-day-head${sameDay(d, today) ? ' is-today' : ''}`}>
            <div>{d.toLocaleDateString(i18n.language, { weekday: 'short', month: 'numeric', day: 'numeric' })}</div>
            {tasks
              .filter((a) => sameDay(spanOf(a).start, d))
              .map((a) => (
                <Tag key={a.id} color="gold" className="week-task" title={a.subject}>
                  {t('calendar.task')}: {a.subject}
                </Tag>
              ))}
          </div>
        ))}
      </div>
      <div className="week-body" ref={scroller}>
        <div className="week-gutter">
          {hours.map((h) => (
            <div key={h} className="week-hour-label" style={{ height: HOUR_PX }}>
              {String(h).padStart(2, '0')}:00
            </div>
          ))}
        </div>
        {days.map((d, day) => (
          <div key={day} className="week-day" style={{ height: 24 * HOUR_PX }} data-testid={`week-day-${day}`}>
            {hours.map((h) => (
              <button
                key={h}
                type="button"
                className="week-slot"
                style={{ height: HOUR_PX }}
                aria-label={`${d.toLocaleDateString(i18n.language, { dateStyle: 'medium' })} ${String(h).padStart(2, '0')}:00`}
                data-testid={`slot-${day}-${h}`}
                disabled={!onSlot}
                onClick={() => {
                  const at = new Date(d);
                  at.setHours(h, 0, 0, 0);
                  onSlot?.(at);
                }}
              />
            ))}
            {placed
              .filter((p) => p.day === day)
              .map((p) => {
                const { start: s, end: e } = spanOf(p.item);
                return (
                  <div
                    key={`${p.item.id}-${day}`}
                    className={`week-event${p.item.status === 'done' ? ' is-done' : ''}`}
                    style={{
                      top: (p.startMinute / 60) * HOUR_PX,
                      height: Math.max(18, ((p.endMinute - p.startMinute) / 60) * HOUR_PX - 2),
                      left: `${(p.lane / p.lanes) * 100}%`,
                      width: `calc(${100 / p.lanes}% - 4px)`,
                    }}
                    title={`${p.item.subject} ${timeOf(s, i18n.language)}–${timeOf(e, i18n.language)}`}
                    data-testid="week-event"
                  >
                    <strong>{p.item.subject}</strong>
                    <div>
                      {timeOf(s, i18n.language)}–{timeOf(e, i18n.language)}
                    </div>
                  </div>
                );
              })}
          </div>
        ))}
      </div>
    </div>
  );
}
