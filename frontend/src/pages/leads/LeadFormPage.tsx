import { useEffect, useMemo, useRef, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Card, Col, Form, Input, List, Row, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, etagOf, newIdempotencyKey, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ApiError } from '../../api/errors';
import { useMe } from '../../auth';
import { applyServerError, ConflictModal, DuplicateModal, FormButtons, type DuplicateMatch } from '../../components/recordForm';
import { ErrorState, Loading } from '../../components/states';
import { useRegions, useUsers } from '../../directory';
import { can } from '../../permissions';
import { recordPath, type Lead } from './leadBits';
import { LEAD_RATINGS, LEAD_SOURCES } from './leadFilters';

type LeadCreate = components['schemas']['LeadCreate'];
type LeadPatch = components['schemas']['LeadPatch'];

const STANDARD = [
  'name',
  'company',
  'title',
  'phone',
  'email',
  'source',
  'rating',
  'region_id',
  'tags',
  'description',
  'owner_id',
] as const;
type Standard = (typeof STANDARD)[number];
type Values = Partial<Record<Standard, unknown>>;
const KNOWN: ReadonlySet<string> = new Set(STANDARD);

function toValues(l: Lead): Values {
  const values: Values = {};
  for (const key of STANDARD) values[key] = l[key] ?? undefined;
  return values;
}

function clean(value: unknown): unknown {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  return value === undefined ? null : value;
}

/** The records a duplicate answer named, each a link. */
export function DuplicateMatches({ matches }: { matches: DuplicateMatch[] }) {
  const { t } = useTranslation();
  if (!matches.length) return null;
  return (
    <List
      size="small"
      bordered
      data-testid="duplicate-matches"
      dataSource={matches}
      renderItem={(m) => {
        const path = recordPath(m.entity, m.id);
        const label = t(`leads.match.${m.entity as 'lead'}`, { defaultValue: m.entity });
        return <List.Item>{path ? <Link to={path}>{`${label} · ${m.id.slice(0, 8)}`}</Link> : `${label} · ${m.id.slice(0, 8)}`}</List.Item>;
      }}
    />
  );
}

export default function LeadFormPage() {
  const { id } = useParams();
  const editing = !!id;
  const { t } = useTranslation();
  const me = useMe();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [duplicate, setDuplicate] = useState<{ existingId?: string; matches: DuplicateMatch[]; values: Values } | null>(null);
  const [conflict, setConflict] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const idempotencyKey = useRef(newIdempotencyKey());
  const users = useUsers();
  const regions = useRegions();
  const mayAssign = can(me, 'leads:assign');

  const record = useQuery({
    queryKey: ['leads', 'one', id],
    enabled: editing,
    queryFn: () => unwrap(api.GET('/api/v1/leads/{lead_id}', { params: { path: { lead_id: id! } } })),
  });
  const initial = useMemo(() => (record.data ? toValues(record.data) : undefined), [record.data]);
  useEffect(() => {
    if (initial) form.setFieldsValue(initial);
  }, [initial, form]);

  async function save(values: Values, allowDuplicate = false) {
    setBusy(true);
    setFormError(null);
    try {
      const query = allowDuplicate ? { allow_duplicate: true } : {};
      if (!editing) {
        const body: Record<string, unknown> = {};
        for (const key of STANDARD) {
          const v = clean(values[key]);
          if (v !== null && !(Array.isArray(v) && v.length === 0)) body[key] = v;
        }
        const created = await unwrap(
          api.POST('/api/v1/leads', {
            params: { query, header: { 'idempotency-key': idempotencyKey.current } },
            body: body as LeadCreate,
          }),
        );
        message.success(t('leads.created'));
        await queryClient.invalidateQueries({ queryKey: ['leads'] });
        navigate(`/leads/${created.id}`, { replace: true });
      } else {
        const current = record.data!;
        const body: Record<string, unknown> = {};
        for (const key of STANDARD) {
          if (key === 'owner_id' && !mayAssign) continue;
          const v = clean(values[key]);
          const before = current[key] ?? null;
          if (JSON.stringify(v ?? null) !== JSON.stringify(before)) body[key] = key === 'tags' && v === null ? [] : v;
        }
        if (Object.keys(body).length) {
          await unwrap(
            api.PATCH('/api/v1/leads/{lead_id}', {
              params: { path: { lead_id: current.id }, query, header: { 'if-match': etagOf(current.version) } },
              body: body as LeadPatch,
            }),
          );
        }
        message.success(t('common.saved'));
        await queryClient.invalidateQueries({ queryKey: ['leads'] });
        navigate(`/leads/${current.id}`, { replace: true });
      }
    } catch (error) {
      if (error instanceof ApiError) idempotencyKey.current = newIdempotencyKey();
      const outcome = applyServerError(form, error, KNOWN, t);
      if (outcome.kind === 'duplicate') setDuplicate({ existingId: outcome.existingId, matches: outcome.matches, values });
      else if (outcome.kind === 'conflict') setConflict(true);
      else setFormError(outcome.message);
    } finally {
      setBusy(false);
    }
  }

  if (editing && record.isLoading) return <Loading />;
  if (editing && record.isError) return <ErrorState error={record.error} onRetry={() => void record.refetch()} />;

  const half = { xs: 24, md: 12 };
  return (
    <section aria-labelledby="lead-form-title">
      <div className="page-header">
        <Typography.Title level={2} id="lead-form-title">
          {editing ? t('leads.editTitle') : t('leads.new')}
        </Typography.Title>
      </div>
      {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 16 }} role="alert" />}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={(v) => void save(v)}
        initialValues={editing ? initial : { source: 'other', tags: [] }}
        disabled={busy}
        scrollToFirstError
        data-testid="lead-form"
      >
        <Card>
          <Row gutter={16}>
            <Col {...half}>
              <Form.Item
                name="name"
                label={t('leads.fields.name')}
                rules={[{ required: true, whitespace: true, message: t('common.required') }]}
              >
                <Input maxLength={200} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="company" label={t('leads.fields.company')}>
                <Input maxLength={200} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="title" label={t('leads.fields.title')}>
                <Input maxLength={200} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="source" label={t('leads.fields.source')}>
                <Select options={LEAD_SOURCES.map((s) => ({ value: s, label: t(`leads.source.${s}`) }))} />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="phone" label={t('leads.fields.phone')}>
                <Input type="tel" inputMode="tel" />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="email" label={t('leads.fields.email')}>
                <Input inputMode="email" autoComplete="off" />
              </Form.Item>
            </Col>
            <Col {...half}>
              <Form.Item name="rating" label={t('leads.fields.rating')}>
                <Select allowClear options={LEAD_RATINGS.map((r) => ({ value: r, label: t(`leads.rating.${r}`) }))} />
              </Form.Item>
            </Col>
            {!!regions.data?.length && (
              <Col {...half}>
                <Form.Item name="region_id" label={t('leads.fields.region_id')}>
                  <Select allowClear options={regions.data.map((r) => ({ value: r.id, label: r.name }))} />
                </Form.Item>
              </Col>
            )}
            {mayAssign && !!users.data?.length && (
              <Col {...half}>
                <Form.Item name="owner_id" label={t('leads.fields.owner_id')}>
                  <Select
                    allowClear={!editing}
                    showSearch={{ optionFilterProp: 'label' }}
                    options={users.data.filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }))}
                  />
                </Form.Item>
              </Col>
            )}
            <Col span={24}>
              <Form.Item name="tags" label={t('leads.fields.tags')}>
                <Select mode="tags" tokenSeparators={[',']} open={false} suffixIcon={null} />
              </Form.Item>
            </Col>
            <Col span={24}>
              <Form.Item name="description" label={t('leads.fields.description')}>
                <Input.TextArea rows={3} maxLength={5000} />
              </Form.Item>
            </Col>
          </Row>
        </Card>
        <FormButtons busy={busy} editing={editing} onCancel={() => navigate(-1)} />
      </Form>
      <DuplicateModal
        editing={editing}
        open={!!duplicate}
        title={t('leads.duplicateTitle')}
        detail={t('leads.duplicateDetail')}
        onCancel={() => setDuplicate(null)}
        onAnyway={() => {
          const values = duplicate!.values;
          setDuplicate(null);
          idempotencyKey.current = newIdempotencyKey();
          void save(values, true);
        }}
      >
        <DuplicateMatches matches={duplicate?.matches ?? []} />
      </DuplicateModal>
      <ConflictModal
        open={conflict}
        title={t('leads.conflictTitle')}
        onCancel={() => setConflict(false)}
        onReload={async () => {
          setConflict(false);
          const fresh = await record.refetch();
          if (fresh.data) form.setFieldsValue(toValues(fresh.data));
        }}
      />
    </section>
  );
}
