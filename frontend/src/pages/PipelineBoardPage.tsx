// The pipeline as a kanban board: a column per stage with its count, sum and weighted sum; drag a
// card (or use its "Move to…" menu) to change the deal's stage.
import { useMemo, useState, type DragEvent } from 'react';
import { ClockCircleOutlined, SwapOutlined } from '@ant-design/icons';
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Dropdown, Select, Space, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useNavigate, useParams } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import { EmptyState, ErrorState, Loading } from '../components/states';
import { useUserName } from '../directory';
import { CustomerName, CustomerNames, formatDay, usePipelines, type Pipeline } from './salesBits';
import { formatMoney, isRotting, moveCard, type Board, type BoardCard, type BoardColumn, type Opportunity, type Stage } from './salesLogic';
import { useStageMove } from './StageMove';

const CARDS = 20;
const DRAG_TYPE = 'application/x-crm-opportunity';

export default function PipelineBoardPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const pipelines = usePipelines();

  if (pipelines.isLoading) return <Loading />;
  if (pipelines.isError) return <ErrorState error={pipelines.error} onRetry={() => void pipelines.refetch()} />;
  const list = pipelines.data ?? [];
  if (!list.length) return <EmptyState description={t('pipelines.none')} />;
  if (!id) return <Navigate to={`/pipelines/${list[0].id}/board`} replace />;
  const pipeline = list.find((p) => p.id === id);

  return (
    <section aria-labelledby="board-title">
      <div className="page-header">
        <Typography.Title level={2} id="board-title">
          {t('pipelines.title')}
        </Typography.Title>
        <Select
          aria-label={t('pipelines.choose')}
          value={id}
          onChange={(v: string) => navigate(`/pipelines/${v}/board`)}
          options={list.map((p) => ({ value: p.id, label: p.name }))}
          style={{ minWidth: 200 }}
          data-testid="pipeline-switcher"
        />
      </div>
      {pipeline ? <PipelineBoard key={pipeline.id} pipeline={pipeline} /> : <ErrorState error={null} />}
    </section>
  );
}

function PipelineBoard({ pipeline }: { pipeline: Pipeline }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const key = useMemo(() => ['opportunities', 'board', pipeline.id], [pipeline.id]);
  const board = useQuery({
    queryKey: key,
    queryFn: () =>
      unwrap(api.GET('/api/v1/pipelines/{pipeline_id}/board', { params: { path: { pipeline_id: pipeline.id }, query: { cards: CARDS } } })),
  });
  const stages = useMemo(() => new Map(pipeline.stages.map((s) => [s.id, s])), [pipeline]);
  const { request, dialogs } = useStageMove({
    optimistic: (deal, stage) => {
      void queryClient.cancelQueries({ queryKey: key });
      const before = queryClient.getQueryData<Board>(key);
      if (before) queryClient.setQueryData<Board>(key, moveCard(before, deal.id, stage.id));
      return () => before && queryClient.setQueryData<Board>(key, before);
    },
    settled: () => void queryClient.invalidateQueries({ queryKey: key }),
  });

  if (board.isLoading) return <Loading />;
  if (board.isError) return <ErrorState error={board.error} onRetry={() => void board.refetch()} />;
  const columns = board.data!.columns;

  return (
    <>
      <Typography.Paragraph type="secondary">{t('pipelines.dragHint')}</Typography.Paragraph>
      <CustomerNames ids={columns.flatMap((column) => column.cards.map((card) => card.customer_id))}>
        <div className="board" data-testid="board">
          {columns.map((column) => (
            <BoardColumnView
              key={column.stage_id}
              column={column}
              pipeline={pipeline}
              stages={stages}
              currency={pipeline.currency}
              onMove={(deal, stageId) => {
                const stage = stages.get(stageId);
                if (stage) void request(deal, stage);
              }}
            />
          ))}
        </div>
      </CustomerNames>
      {dialogs}
    </>
  );
}

function BoardColumnView({
  column,
  pipeline,
  stages,
  currency,
  onMove,
}: {
  column: BoardColumn;
  pipeline: Pipeline;
  stages: Map<string, Stage>;
  currency: string;
  onMove: (deal: BoardCard, stageId: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const [over, setOver] = useState(false);
  const [more, setMore] = useState(false);
  // More cards than the board sends: the deal list of this stage, newest change first, like the board.
  const extra = useInfiniteQuery({
    queryKey: ['opportunities', 'column', column.stage_id],
    enabled: more,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/v1/opportunities', {
          params: { query: { pipeline: pipeline.id, stage: column.stage_id, sort: '-updated_at', limit: 50, cursor: pageParam } },
        }),
      ),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const cards = useMemo(() => {
    const seen = new Set(column.cards.map((c) => c.id));
    const rest = (extra.data?.pages.flatMap((p) => p.items) ?? []).filter(
      (c): c is Opportunity => 'name' in c && c.stage_id === column.stage_id && !seen.has(c.id),
    );
    return [...column.cards, ...rest];
  }, [column, extra.data]);
  const hasMore = cards.length < column.count && (!more || extra.hasNextPage || extra.isLoading);

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setOver(false);
    const raw = event.dataTransfer.getData(DRAG_TYPE);
    if (!raw) return;
    const deal = JSON.parse(raw) as BoardCard;
    if (deal.stage_id !== column.stage_id) onMove(deal, column.stage_id);
  }

  return (
    <div
      className={`board-column${over ? ' board-column-over' : ''}`}
      data-testid={`column-${column.stage_id}`}
      data-stage={column.name}
      aria-label={column.name}
      role="region"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes(DRAG_TYPE)) {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'move';
          setOver(true);
        }
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <div className="board-column-head">
        <Space size={4} wrap>
          <Typography.Text strong>{column.name}</Typography.Text>
          {column.kind !== 'open' && <Tag color={column.kind === 'won' ? 'success' : 'error'}>{t(`pipelines.kind.${column.kind}`)}</Tag>}
        </Space>
        <div className="board-column-stats">
          <span data-testid="column-count">{t('pipelines.count', { count: column.count })}</span>
          <span>
            {t('pipelines.sum')}: <span data-testid="column-amount">{formatMoney(column.amount, currency, i18n.language)}</span>
          </span>
          <span>
            {t('pipelines.weighted')}:{' '}
            <span data-testid="column-weighted">{formatMoney(column.weighted_amount, currency, i18n.language)}</span>
          </span>
        </div>
      </div>
      <div className="board-cards">
        {cards.length === 0 && <Typography.Text type="secondary">{t('pipelines.empty')}</Typography.Text>}
        {cards.map((card) => (
          <DealCard key={card.id} card={card} stage={stages.get(column.stage_id)} pipeline={pipeline} onMove={onMove} />
        ))}
        {hasMore && (
          <Button
            block
            size="small"
            loading={extra.isFetching}
            onClick={() => (more ? void extra.fetchNextPage() : setMore(true))}
            data-testid="column-load-more"
          >
            {t('pipelines.loadMore')}
          </Button>
        )}
      </div>
    </div>
  );
}

function DealCard({
  card,
  stage,
  pipeline,
  onMove,
}: {
  card: BoardCard;
  stage: Stage | undefined;
  pipeline: Pipeline;
  onMove: (deal: BoardCard, stageId: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const userName = useUserName();
  const rotting = stage ? isRotting(card, stage) : false;
  return (
    <Card
      size="small"
      className="deal-card"
      draggable
      onDragStart={(e) => {
        e.dataTransfer.setData(DRAG_TYPE, JSON.stringify(card));
        e.dataTransfer.effectAllowed = 'move';
      }}
      data-testid="deal-card"
      data-id={card.id}
    >
      <div className="deal-card-top">
        <Link to={`/opportunities/${card.id}`} className="deal-card-name" draggable={false}>
          {card.name}
        </Link>
        <Dropdown
          trigger={['click']}
          menu={{
            items: pipeline.stages.filter((s) => s.id !== card.stage_id).map((s) => ({ key: s.id, label: s.name })),
            onClick: ({ key }) => onMove(card, key),
          }}
        >
          <Button
            size="small"
            type="text"
            icon={<SwapOutlined />}
            aria-label={t('pipelines.moveMenu', { name: card.name })}
            title={t('pipelines.moveTo')}
            data-testid="move-to"
          />
        </Dropdown>
      </div>
      <div className="deal-card-meta">
        <Typography.Text type="secondary">
          <CustomerName id={card.customer_id} />
        </Typography.Text>
        <Typography.Text strong>{formatMoney(card.amount, card.currency, i18n.language)}</Typography.Text>
        <Typography.Text type="secondary">
          {userName(card.owner_id) ?? ''} · {formatDay(card.expected_close_date, i18n.language)}
        </Typography.Text>
        {rotting && stage && (
          <Tooltip title={t('pipelines.rottingHelp', { days: stage.rotting_days })}>
            <Tag color="orange" icon={<ClockCircleOutlined />} data-testid="rotting">
              {t('pipelines.rotting')}
            </Tag>
          </Tooltip>
        )}
      </div>
      {card.lost_reason && <Alert type="error" title={card.lost_reason} style={{ marginTop: 4, padding: '0 8px' }} />}
    </Card>
  );
}
