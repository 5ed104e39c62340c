import { useState } from 'react';
import Button from 'react-bootstrap/Button';
import ButtonGroup from 'react-bootstrap/ButtonGroup';
import Card from 'react-bootstrap/Card';
import { useTranslation } from 'react-i18next';

import type { InstanceUptimeDetail, UptimeWindow } from '@/api/generated/types.gen';
import { LazyTimelineChart } from '@/components/charts/lazy-charts';
import { Icon } from '@/components/ui/icon';
import { LoadingState } from '@/components/ui/loading-state';
import { formatDateTime, formatDuration, formatPercent } from '@/lib/format';

import {
  UPTIME_WINDOWS,
  type UptimeWindowName,
  useInstanceUptime,
} from '../api/get-uptime';
import { hasData, UPTIME_STATE_COLORS, UPTIME_STATES, uptimeTone } from '../lib/uptime';
import { useInstancesTranslation } from '../locales';
import { InstanceError } from './instance-error';

/** About the height of the loaded figures and timeline (px): reserved while they load. */
const LOADED_HEIGHT = 290;
/** Rows of the hidden table that reads the timeline out (the newest). */
const TABLE_ROWS = 50;
const HOUR_MS = 3_600_000;
/** Time between two ticks of the timeline's axis. */
const TICK_STEP: Record<UptimeWindowName, number> = {
  '24h': 4 * HOUR_MS,
  '7d': 24 * HOUR_MS,
  '30d': 5 * 24 * HOUR_MS,
};

/** Uptime over 24 h, 7 d and 30 d, with the state timeline of a chosen window. */
export function UptimeCard({ instanceId }: { instanceId: number }) {
  const { t } = useInstancesTranslation();
  const [selected, setSelected] = useState<UptimeWindowName>('7d');
  const uptime = useInstanceUptime(instanceId, selected);

  let body;
  if (uptime.isPending) {
    body = <LoadingState minHeight={LOADED_HEIGHT} />;
  } else if (uptime.isError) {
    body = <InstanceError error={uptime.error} onRetry={() => void uptime.refetch()} />;
  } else {
    body = (
      <>
        <UptimeFigures windows={uptime.data.windows} />
        <div className="d-flex flex-wrap align-items-center justify-content-between gap-2 mt-3 mb-2">
          <h3 className="h6 mb-0">{t('uptime.timeline')}</h3>
          <ButtonGroup size="sm" aria-label={t('uptime.chooseWindow')}>
            {UPTIME_WINDOWS.map((name) => (
              <Button
                key={name}
                variant={name === selected ? 'primary' : 'outline-secondary'}
                aria-pressed={name === selected}
                onClick={() => setSelected(name)}
              >
                {t(`uptime.short.${name}`)}
              </Button>
            ))}
          </ButtonGroup>
        </div>
        <UptimeTimeline detail={uptime.data} />
      </>
    );
  }

  return (
    <Card className="mb-4" data-testid="uptime-card">
      <Card.Header className="d-flex align-items-center gap-2 bg-transparent">
        <Icon name="wifi" />
        <h2 className="h6 mb-0">{t('uptime.title')}</h2>
      </Card.Header>
      <Card.Body>
        {body}
        <p className="small text-body-secondary mb-0 mt-2">{t('uptime.help')}</p>
      </Card.Body>
    </Card>
  );
}

/** The three windows side by side: uptime %, disconnects, mean time to reconnect. */
export function UptimeFigures({ windows }: { windows: readonly UptimeWindow[] }) {
  const { t, i18n } = useInstancesTranslation();
  const locale = i18n.language;
  return (
    <dl className="row g-2 mb-0 text-center">
      {windows.map((w) => (
        <div key={w.window} className="col-4" data-testid={`uptime-${w.window}`}>
          <dt className="small text-body-secondary fw-normal">{t(`uptime.windows.${w.window}`)}</dt>
          <dd className={`fs-4 fw-semibold mb-0 ${uptimeTone(w.uptime_percent)}`}>
            {hasData(w) ? formatPercent(w.uptime_percent ?? 0, locale) : t('uptime.noData')}
          </dd>
          <dd className="small mb-0">{t('uptime.disconnects', { count: w.disconnects })}</dd>
          {w.mean_reconnect_seconds !== null ? (
            <dd className="small text-body-secondary mb-0">
              {t('uptime.meanReconnect', {
                duration: formatDuration(w.mean_reconnect_seconds, locale),
              })}
            </dd>
          ) : null}
        </div>
      ))}
    </dl>
  );
}

function UptimeTimeline({ detail }: { detail: InstanceUptimeDetail }) {
  const { t, i18n } = useInstancesTranslation();
  const { t: tShared } = useTranslation();
  const locale = i18n.language;
  const stateLabel = (state: string) =>
    state === 'unknown' ? t('uptime.unknown') : tShared(`status.${state}`, { defaultValue: state });
  const spans = detail.segments.map((s) => ({
    state: s.state,
    start: Date.parse(s.start),
    end: Date.parse(s.end),
  }));
  const present = new Set(spans.map((s) => s.state));
  const series = UPTIME_STATES.filter((state) => present.has(state)).map((state) => ({
    state,
    label: stateLabel(state),
    color: UPTIME_STATE_COLORS[state],
  }));
  const tick = new Intl.DateTimeFormat(
    locale,
    detail.timeline_window === '24h'
      ? { hour: '2-digit', minute: '2-digit' }
      : { day: '2-digit', month: '2-digit' },
  );
  const describe = (span: { state: string; start: number; end: number }) =>
    t('uptime.span', {
      state: stateLabel(span.state),
      from: formatDateTime(span.start, locale),
      to: formatDateTime(span.end, locale),
      duration: formatDuration((span.end - span.start) / 1000, locale),
    });
  const shown = detail.windows.find((w) => w.window === detail.timeline_window);
  const label = t('uptime.chartLabel', {
    window: t(`uptime.windows.${detail.timeline_window}`),
    percent: hasData(shown) ? formatPercent(shown.uptime_percent ?? 0, locale) : t('uptime.noData'),
    count: spans.length,
  });

  if (spans.length === 0) {
    return <p className="text-body-secondary small mb-0">{t('uptime.empty')}</p>;
  }
  return (
    <>
      <LazyTimelineChart
        spans={spans}
        series={series}
        min={Date.parse(detail.timeline_start)}
        max={Date.parse(detail.timeline_end)}
        label={label}
        formatTick={(ms) => tick.format(ms)}
        step={TICK_STEP[detail.timeline_window]}
        describe={describe}
        height={110}
      />
      {detail.segments_truncated ? (
        <p className="small text-body-secondary mb-0">{t('uptime.truncated')}</p>
      ) : null}
      {/* Hidden in a div: a table ignores the 1 px width and would widen the page on phones. */}
      <div className="visually-hidden">
        <table>
          <caption>{t('uptime.tableCaption', { count: Math.min(spans.length, TABLE_ROWS) })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('uptime.state')}</th>
              <th scope="col">{t('uptime.from')}</th>
              <th scope="col">{t('uptime.to')}</th>
            </tr>
          </thead>
          <tbody>
            {spans.slice(-TABLE_ROWS).map((span) => (
              <tr key={span.start}>
                <th scope="row">{stateLabel(span.state)}</th>
                <td>{formatDateTime(span.start, locale)}</td>
                <td>{formatDateTime(span.end, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
