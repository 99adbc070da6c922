// One ECharts chart: loads echarts on first use (its own chunk, so the main bundle stays small),
// follows its box's size, and is disposed with the component. Theme-neutral: the option says it all.
import { useEffect, useRef, useState, type CSSProperties } from 'react';
import type { EChartsOption, ECharts } from 'echarts';
import { Spin } from 'antd';

type EChartsCore = typeof import('echarts/core');
let loading: Promise<EChartsCore> | null = null;

/**
 * echarts, imported once per page load: the core with the common charts (bar, line, pie) and
 * components, not the whole library. Register more here when a page needs them.
 */
export function loadECharts(): Promise<EChartsCore> {
  loading ??= Promise.all([
    import('echarts/core'),
    import('echarts/charts'),
    import('echarts/components'),
    import('echarts/renderers'),
  ]).then(([core, charts, components, renderers]) => {
    core.use([
      charts.BarChart,
      charts.LineChart,
      charts.PieChart,
      charts.HeatmapChart,
      components.GridComponent,
      components.TooltipComponent,
      components.LegendComponent,
      components.TitleComponent,
      components.DatasetComponent,
      components.AriaComponent,
      components.VisualMapComponent,
      renderers.CanvasRenderer,
      renderers.SVGRenderer,
    ]);
    return core;
  });
  return loading;
}

export interface ChartProps {
  option: EChartsOption;
  /** Height of the chart (the width follows the container). */
  height?: number | string;
  /** An accessible description of what the chart shows. */
  ariaLabel?: string;
  style?: CSSProperties;
  'data-testid'?: string;
  /** A click on a bar, slice, point or cell: where it drills down to. */
  onClick?: (params: ChartClick) => void;
  /** svg draws each bar as an element of its own (browser tests can click one); canvas by default. */
  renderer?: 'canvas' | 'svg';
}

/** What ECharts tells of a clicked item. */
export interface ChartClick {
  seriesIndex?: number;
  seriesName?: string;
  dataIndex: number;
  name?: string;
  data?: unknown;
}

export function Chart({ option, height = 320, ariaLabel, style, 'data-testid': testId, onClick, renderer = 'canvas' }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  // the latest handler, without re-initialising the chart when it changes
  const clicked = useRef(onClick);
  clicked.current = onClick;
  const chart = useRef<ECharts | null>(null);
  const [ready, setReady] = useState(false);
  const [failed, setFailed] = useState(false);

  // init once, dispose on unmount
  useEffect(() => {
    let cancelled = false;
    let observer: ResizeObserver | null = null;
    loadECharts()
      .then((echarts) => {
        if (cancelled || !box.current) return;
        chart.current = echarts.init(box.current, undefined, { renderer });
        chart.current.on('click', (params) => clicked.current?.(params as unknown as ChartClick));
        if (typeof ResizeObserver !== 'undefined') {
          observer = new ResizeObserver(() => chart.current?.resize());
          observer.observe(box.current);
        }
        setReady(true);
      })
      .catch(() => !cancelled && setFailed(true));
    return () => {
      cancelled = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, [renderer]);

  // every new option replaces the previous one (no stale series left behind)
  useEffect(() => {
    if (ready && chart.current) chart.current.setOption({ aria: { enabled: true }, ...option }, { notMerge: true });
  }, [ready, option]);

  return (
    <div style={{ position: 'relative', width: '100%', height, ...style }}>
      <div ref={box} role="img" aria-label={ariaLabel} data-testid={testId} style={{ width: '100%', height: '100%' }} />
      {!ready && !failed && (
        <div style={{ position: 'absolute', inset: 0, display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
          <Spin />
        </div>
      )}
    </div>
  );
}

export default Chart;
