// Write or edit a message template: name, channel, default language and, per language (中文 and
// English), an e-mail's subject, HTML and text or an SMS's text. Beside it a live preview of both
// languages side by side, rendered by the server exactly as a send would (sample values, or a
// chosen contact or lead). Mistakes (syntax, unknown variables) show on the field they are in.
import { useEffect, useMemo, useRef, useState, type FocusEvent } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Form, Input, Popconfirm, Radio, Row, Segmented, Select, Space, Tabs, Tag, Typography } from 'antd';
import type { FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, etagOf, newIdempotencyKey, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ApiError } from '../../api/errors';
import { useMe } from '../../auth';
import { describeError, ErrorState, Loading } from '../../components/states';
import { can } from '../../permissions';

type Locale = 'zh-CN' | 'en';
type Channel = 'email' | 'sms';
type Parts = { subject?: string; html?: string; text?: string };
type PreviewOut = components['schemas']['PreviewOut'];
type PreviewBody = components['schemas']['UnsavedPreviewBody'];

export interface TemplateValues {
  name: string;
  channel: Channel;
  description?: string;
  default_locale: Locale;
  content: Partial<Record<Locale, Parts>>;
}

export const LOCALES: Locale[] = ['zh-CN', 'en'];
const PART_LIMITS = { subject: 300, html: 100_000, text: 20_000 } as const;
type Part = keyof typeof PART_LIMITS;

/** The content as the API takes it: blank parts and languages left out. */
export function contentBody(channel: Channel, content: TemplateValues['content'] | undefined): PreviewBody['content'] {
  const parts: Part[] = channel === 'sms' ? ['text'] : ['subject', 'html', 'text'];
  const out: PreviewBody['content'] = {};
  for (const locale of LOCALES) {
    const written = Object.fromEntries(parts.flatMap((p) => (content?.[locale]?.[p]?.trim() ? [[p, content[locale]![p]]] : [])));
    if (Object.keys(written).length) out[locale] = written;
  }
  return out;
}

/** The value after `delay` ms without a change (the preview waits for a pause in typing). */
function useDebounced<T>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

type Record_ = { kind: 'sample' } | { kind: 'contact' | 'lead'; id?: string };

function RecordPicker({ value, onChange }: { value: Record_; onChange: (r: Record_) => void }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const search = useDebounced(q, 300);
  const kind = value.kind;
  const options = useQuery({
    queryKey: ['message-templates', 'records', kind, search],
    enabled: kind !== 'sample',
    queryFn: async () => {
      const query = { q: search || undefined, limit: 20 };
      const page =
        kind === 'lead'
          ? await unwrap(api.GET('/api/v1/leads', { params: { query: query as never } }))
          : await unwrap(api.GET('/api/v1/contacts', { params: { query: query as never } }));
      return (page.items as { id: string; name?: string }[]).map((r) => ({ value: r.id, label: r.name ?? r.id }));
    },
  });
  return (
    <Space wrap>
      <Segmented
        aria-label={t('messageTemplates.previewFor')}
        value={kind}
        onChange={(k) => onChange(k === 'sample' ? { kind: 'sample' } : { kind: k as 'contact' | 'lead' })}
        options={[
          { value: 'sample', label: t('messageTemplates.sample') },
          { value: 'contact', label: t('messageTemplates.contact') },
          { value: 'lead', label: t('messageTemplates.lead') },
        ]}
      />
      {kind !== 'sample' && (
        <Select
          showSearch
          allowClear
          filterOption={false}
          onSearch={setQ}
          style={{ minWidth: 220 }}
          aria-label={t('messageTemplates.chooseRecord')}
          placeholder={t('messageTemplates.chooseRecord')}
          loading={options.isFetching}
          options={options.data ?? []}
          value={value.id}
          onChange={(id: string | undefined) => onChange({ kind, id })}
          data-testid="preview-record"
        />
      )}
    </Space>
  );
}

function PreviewPane({ locale, preview, error, loading }: { locale: Locale; preview?: PreviewOut; error: unknown; loading: boolean }) {
  const { t } = useTranslation();
  const problems = error instanceof ApiError ? (error.problem.errors ?? []) : [];
  return (
    <Card
      size="small"
      title={t(`messageTemplates.locale.${locale}`)}
      extra={
        preview && preview.locale !== locale ? <Tag color="orange">{t('messageTemplates.fallback')}</Tag> : loading ? <Tag>…</Tag> : null
      }
      data-testid={`preview-${locale}`}
    >
      {error ? (
        <Alert
          type={error instanceof ApiError && error.status === 422 ? 'warning' : 'error'}
          showIcon
          message={error instanceof ApiError && error.status === 422 ? t('messageTemplates.previewInvalid') : describeError(t, error)}
          description={problems.length ? problems.map((p) => <div key={p.field + p.message}>{`${p.field}: ${p.message}`}</div>) : undefined}
        />
      ) : !preview ? (
        <Typography.Text type="secondary">{t('messageTemplates.previewEmpty')}</Typography.Text>
      ) : (
        <>
          {preview.subject != null && (
            <Typography.Paragraph strong data-testid={`preview-subject-${locale}`}>
              {preview.subject}
            </Typography.Paragraph>
          )}
          {preview.html != null && (
            // The rendered HTML in a sandboxed frame: no script runs, nothing reaches this page.
            <iframe
              title={t('messageTemplates.htmlPreview')}
              sandbox=""
              srcDoc={preview.html}
              style={{ width: '100%', height: 260, border: '1px solid #f0f0f0', background: '#fff' }}
              data-testid={`preview-html-${locale}`}
            />
          )}
          {preview.text != null && (
            <pre className="template-preview-text" data-testid={`preview-text-${locale}`} style={{ whiteSpace: 'pre-wrap', marginTop: 8 }}>
              {preview.text}
            </pre>
          )}
          {preview.sms_length && (
            <Typography.Text type="secondary" data-testid={`preview-sms-length-${locale}`}>
              {t('messageTemplates.smsLength', {
                characters: preview.sms_length.characters,
                segments: preview.sms_length.segments,
                encoding: preview.sms_length.encoding === 'gsm7' ? 'GSM-7' : 'UCS-2',
              })}
            </Typography.Text>
          )}
          {preview.missing.length > 0 && (
            <Alert
              type="info"
              showIcon
              style={{ marginTop: 8 }}
              message={t('messageTemplates.missing', { names: preview.missing.join(', ') })}
            />
          )}
        </>
      )}
    </Card>
  );
}

function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Both languages rendered side by side, refreshed after a pause in typing. */
export function LivePreview({ form }: { form: FormInstance<TemplateValues> }) {
  const { t } = useTranslation();
  const channel = (Form.useWatch('channel', form) ?? 'email') as Channel;
  const content = Form.useWatch('content', form) as TemplateValues['content'] | undefined;
  const defaultLocale = (Form.useWatch('default_locale', form) ?? 'zh-CN') as Locale;
  const [record, setRecord] = useState<Record_>({ kind: 'sample' });
  const body = useDebounced(
    useMemo(
      // Campaign times print in the writer's own time zone.
      () => ({ channel, default_locale: defaultLocale, content: contentBody(channel, content), timezone: localZone() }),
      [channel, content, defaultLocale],
    ),
    400,
  );
  const target = record.kind !== 'sample' && record.id ? { [`${record.kind}_id`]: record.id } : {};
  const written = Object.keys(body.content).length > 0;
  const zh = usePreview(body, 'zh-CN', target, written);
  const en = usePreview(body, 'en', target, written);
  return (
    <section aria-label={t('messageTemplates.preview')}>
      <Space direction="vertical" style={{ width: '100%' }}>
        <RecordPicker value={record} onChange={setRecord} />
        <Row gutter={12}>
          <Col xs={24} md={12}>
            <PreviewPane locale="zh-CN" preview={written ? zh.data : undefined} error={written ? zh.error : null} loading={zh.isFetching} />
          </Col>
          <Col xs={24} md={12}>
            <PreviewPane locale="en" preview={written ? en.data : undefined} error={written ? en.error : null} loading={en.isFetching} />
          </Col>
        </Row>
      </Space>
    </section>
  );
}

function usePreview(body: Omit<PreviewBody, 'locale'>, locale: Locale, target: Record<string, string>, enabled: boolean) {
  return useQuery({
    queryKey: ['message-templates', 'preview', body, locale, target],
    enabled,
    placeholderData: keepPreviousData,
    retry: false,
    queryFn: () => unwrap(api.POST('/api/v1/message-templates/preview', { body: { ...body, ...target, locale } })),
  });
}

/** Variables to insert at the cursor of the field last written in. */
function VariableList({ onInsert }: { onInsert: (path: string) => void }) {
  const { t, i18n } = useTranslation();
  const variables = useQuery({
    queryKey: ['message-templates', 'variables'],
    queryFn: () => unwrap(api.GET('/api/v1/message-templates/variables')),
    staleTime: Infinity,
  });
  const zh = i18n.language === 'zh-CN';
  return (
    <div className="template-variables" aria-label={t('messageTemplates.variables')}>
      <Typography.Text type="secondary">{t('messageTemplates.variablesHint')}</Typography.Text>
      {(variables.data?.items ?? []).map((group) => (
        <div key={group.name} style={{ marginTop: 4 }}>
          <Typography.Text strong style={{ marginRight: 6 }}>
            {zh ? group.label_zh : group.label_en}
          </Typography.Text>
          {group.fields.map((f) => (
            <Tag key={f.path} style={{ cursor: 'pointer', marginBottom: 4 }} onClick={() => onInsert(f.path)} title={f.path}>
              {zh ? f.label_zh : f.label_en}
            </Tag>
          ))}
        </div>
      ))}
    </div>
  );
}

export default function TemplateEditorPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<TemplateValues>();
  const [tab, setTab] = useState<Locale>('zh-CN');
  const lastField = useRef<{ name: (string | number)[]; element: HTMLInputElement | HTMLTextAreaElement } | null>(null);
  const channel = (Form.useWatch('channel', form) ?? 'email') as Channel;
  const editable = can(me, id ? 'message_templates:update' : 'message_templates:create');
  const existing = useQuery({
    queryKey: ['message-templates', 'one', id],
    queryFn: () => unwrap(api.GET('/api/v1/message-templates/{template_id}', { params: { path: { template_id: id ?? '' } } })),
    enabled: !!id,
  });
  useEffect(() => {
    if (existing.data) {
      const tpl = existing.data;
      form.setFieldsValue({
        name: tpl.name,
        channel: tpl.channel,
        description: tpl.description ?? undefined,
        default_locale: tpl.default_locale,
        content: Object.fromEntries(
          LOCALES.map((l) => [
            l,
            { subject: tpl.content[l]?.subject ?? '', html: tpl.content[l]?.html ?? '', text: tpl.content[l]?.text ?? '' },
          ]),
        ),
      });
      setTab(tpl.default_locale);
    }
  }, [existing.data, form]);

  const save = useMutation({
    mutationFn: async (values: TemplateValues) => {
      const content = contentBody(values.channel, values.content);
      const common = { name: values.name, description: values.description?.trim() || null, default_locale: values.default_locale, content };
      if (id && existing.data)
        return unwrap(
          api.PATCH('/api/v1/message-templates/{template_id}', {
            params: { path: { template_id: id }, header: { 'if-match': etagOf(existing.data.version) } },
            body: common,
          }),
        );
      return unwrap(
        api.POST('/api/v1/message-templates', {
          params: { header: { 'idempotency-key': newIdempotencyKey() } },
          body: { ...common, channel: values.channel },
        }),
      );
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(['message-templates', 'one', saved.id], saved);
      void queryClient.invalidateQueries({ queryKey: ['message-templates', 'list'] });
      message.success(t('common.saved'));
      navigate(`/marketing/templates/${saved.id}`, { replace: true });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.status === 422) {
        const fields = error.fieldErrors();
        form.setFields(fields.map((f) => ({ name: f.name as never, errors: f.errors })));
        const locale = fields.map((f) => f.name[1]).find((part): part is Locale => part === 'zh-CN' || part === 'en');
        if (locale) setTab(locale);
      }
      message.error(error instanceof ApiError && error.status === 412 ? t('messageTemplates.staleEdit') : describeError(t, error));
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/message-templates/{template_id}', { params: { path: { template_id: id ?? '' } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['message-templates', 'list'] });
      message.success(t('messageTemplates.deleted'));
      navigate('/marketing/templates');
    },
    onError: (error) => message.error(describeError(t, error)),
  });

  if (id && existing.isPending) return <Loading />;
  if (id && existing.isError) return <ErrorState error={existing.error} />;

  const remember = (name: (string | number)[]) => (event: FocusEvent<HTMLInputElement | HTMLTextAreaElement>) => {
    lastField.current = { name, element: event.target };
  };
  const insert = (path: string) => {
    const target = lastField.current ?? { name: ['content', tab, channel === 'sms' ? 'text' : 'html'], element: null };
    const current = String(form.getFieldValue(target.name as never) ?? '');
    const at = target.element?.selectionStart ?? current.length;
    const token = `{{ ${path} }}`;
    form.setFieldValue(target.name as never, current.slice(0, at) + token + current.slice(at));
  };

  const localeFields = (locale: Locale) => {
    const parts: Part[] = channel === 'sms' ? ['text'] : ['subject', 'html', 'text'];
    return parts.map((part) => {
      const name = ['content', locale, part];
      const label = channel === 'sms' ? t('messageTemplates.fields.smsText') : t(`messageTemplates.fields.${part}`);
      const extra = part === 'text' && channel === 'email' ? t('messageTemplates.textHint') : undefined;
      return (
        <Form.Item key={part} name={name} label={label} extra={extra} rules={[{ max: channel === 'sms' ? 1000 : PART_LIMITS[part] }]}>
          {part === 'subject' ? (
            <Input onFocus={remember(name)} data-testid={`template-${locale}-${part}`} />
          ) : (
            <Input.TextArea
              rows={part === 'html' ? 10 : 5}
              onFocus={remember(name)}
              showCount={channel === 'sms'}
              style={{ fontFamily: part === 'html' ? 'monospace' : undefined }}
              data-testid={`template-${locale}-${part}`}
            />
          )}
        </Form.Item>
      );
    });
  };

  return (
    <section aria-labelledby="template-editor-title">
      <div className="page-header">
        <Typography.Title level={2} id="template-editor-title">
          {id ? existing.data?.name : t('messageTemplates.new')}
        </Typography.Title>
        {id && can(me, 'message_templates:delete') && (
          <Popconfirm title={t('messageTemplates.confirmDelete')} onConfirm={() => remove.mutate()}>
            <Button danger loading={remove.isPending}>
              {t('common.delete')}
            </Button>
          </Popconfirm>
        )}
      </div>
      <Row gutter={24}>
        <Col xs={24} xl={10}>
          <Form<TemplateValues>
            form={form}
            layout="vertical"
            disabled={!editable}
            initialValues={{ channel: 'email', default_locale: 'zh-CN', content: {} }}
            onFinish={(values) => save.mutate(values)}
            data-testid="template-form"
          >
            <Space wrap align="start" size="large">
              <Form.Item
                name="name"
                label={t('messageTemplates.fields.name')}
                rules={[{ required: true, whitespace: true, message: t('common.required') }, { max: 200 }]}
              >
                <Input style={{ minWidth: 280 }} data-testid="template-name" />
              </Form.Item>
              <Form.Item name="channel" label={t('messageTemplates.fields.channel')}>
                <Radio.Group
                  disabled={!!id}
                  options={[
                    { value: 'email', label: t('messageTemplates.channel.email') },
                    { value: 'sms', label: t('messageTemplates.channel.sms') },
                  ]}
                />
              </Form.Item>
              <Form.Item name="default_locale" label={t('messageTemplates.fields.defaultLocale')}>
                <Radio.Group options={LOCALES.map((l) => ({ value: l, label: t(`messageTemplates.locale.${l}`) }))} />
              </Form.Item>
            </Space>
            <Form.Item name="description" label={t('messageTemplates.fields.description')} rules={[{ max: 2000 }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
            <Tabs
              activeKey={tab}
              onChange={(k) => setTab(k as Locale)}
              items={LOCALES.map((locale) => ({
                key: locale,
                label: t(`messageTemplates.locale.${locale}`),
                forceRender: true,
                children: localeFields(locale),
              }))}
            />
            <VariableList onInsert={insert} />
            <Space style={{ marginTop: 16 }}>
              <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="save-template">
                {t('common.save')}
              </Button>
              <Button onClick={() => navigate('/marketing/templates')}>{t('common.cancel')}</Button>
            </Space>
          </Form>
        </Col>
        {/* Stays in view while a long body is written. */}
        <Col xs={24} xl={14} style={{ position: 'sticky', top: 16, alignSelf: 'flex-start' }}>
          <Typography.Title level={4}>{t('messageTemplates.preview')}</Typography.Title>
          <LivePreview form={form} />
        </Col>
      </Row>
    </section>
  );
}
