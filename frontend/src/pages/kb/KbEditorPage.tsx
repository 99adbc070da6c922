// Write or edit an article: title, category, tags, visibility and the Markdown body, with a
// preview rendered by the server exactly as the article will show. A new article is saved as a
// draft or published at once; an edit is saved with If-Match (a concurrent edit is refused).
import { useEffect, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, Radio, Select, Space, Tabs, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, etagOf, newIdempotencyKey, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import { describeError, ErrorState, Loading } from '../../components/states';
import { useKbCategories } from './kbBits';

interface Values {
  title: string;
  body: string;
  category_id?: string | null;
  tags: string[];
  visibility: 'internal' | 'public';
}

export default function KbEditorPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const categories = useKbCategories();
  const [form] = Form.useForm<Values>();
  const [tab, setTab] = useState('write');
  const [preview, setPreview] = useState('');
  const existing = useQuery({
    queryKey: ['kb', 'article', id],
    queryFn: () => unwrap(api.GET('/api/v1/kb/articles/{article_id}', { params: { path: { article_id: id ?? '' } } })),
    enabled: !!id,
  });
  useEffect(() => {
    if (existing.data) {
      const a = existing.data;
      form.setFieldsValue({ title: a.title, body: a.body, category_id: a.category_id, tags: a.tags, visibility: a.visibility });
    }
  }, [existing.data, form]);

  const save = useMutation({
    mutationFn: async ({ values, publish }: { values: Values; publish: boolean }) => {
      const body = { ...values, category_id: values.category_id ?? null, body: values.body ?? '' };
      if (id && existing.data) {
        return unwrap(
          api.PATCH('/api/v1/kb/articles/{article_id}', {
            params: { path: { article_id: id }, header: { 'if-match': etagOf(existing.data.version) } },
            body,
          }),
        );
      }
      return unwrap(
        api.POST('/api/v1/kb/articles', {
          params: { header: { 'idempotency-key': newIdempotencyKey() } },
          body: { ...body, status: publish ? 'published' : 'draft' },
        }),
      );
    },
    onSuccess: (saved) => {
      queryClient.setQueryData(['kb', 'article', saved.id], saved);
      void queryClient.invalidateQueries({ queryKey: ['kb', 'list'] });
      message.success(t('common.saved'));
      navigate(`/kb/${saved.id}`);
    },
    onError: (error) => message.error(error instanceof ApiError && error.status === 412 ? t('kb.staleEdit') : describeError(t, error)),
  });
  const render = useMutation({
    mutationFn: (body: string) => unwrap(api.POST('/api/v1/kb/render', { body: { body } })),
    onSuccess: (out) => setPreview(out.html),
  });

  if (id && existing.isPending) return <Loading />;
  if (id && existing.isError) return <ErrorState error={existing.error} />;

  const submit = (publish: boolean) => void form.validateFields().then((values) => save.mutate({ values, publish }));

  return (
    <section aria-labelledby="kb-editor-title">
      <Typography.Title level={2} id="kb-editor-title">
        {id ? t('kb.editTitle') : t('kb.new')}
      </Typography.Title>
      <Form form={form} layout="vertical" initialValues={{ tags: [], visibility: 'internal', body: '' }} style={{ maxWidth: 900 }}>
        <Form.Item
          name="title"
          label={t('kb.fields.title')}
          rules={[{ required: true, whitespace: true, message: t('common.required') }, { max: 300 }]}
        >
          <Input data-testid="article-title" />
        </Form.Item>
        <Space wrap size="large" align="start">
          <Form.Item name="category_id" label={t('kb.fields.category')}>
            <Select
              allowClear
              style={{ minWidth: 220 }}
              options={(categories.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
            />
          </Form.Item>
          <Form.Item name="tags" label={t('kb.fields.tags')}>
            <Select mode="tags" style={{ minWidth: 260 }} tokenSeparators={[',', '，']} />
          </Form.Item>
          <Form.Item name="visibility" label={t('kb.fields.visibility')}>
            <Radio.Group
              options={[
                { value: 'internal', label: t('kb.visibility.internal') },
                { value: 'public', label: t('kb.visibility.public') },
              ]}
            />
          </Form.Item>
        </Space>
        <Tabs
          activeKey={tab}
          onChange={(key) => {
            setTab(key);
            if (key === 'preview') render.mutate(form.getFieldValue('body') ?? '');
          }}
          items={[
            {
              key: 'write',
              label: t('kb.write'),
              forceRender: true,
              children: (
                <Form.Item name="body" rules={[{ max: 100_000 }]} extra={t('kb.markdownHint')}>
                  <Input.TextArea rows={16} data-testid="article-body-input" style={{ fontFamily: 'monospace' }} />
                </Form.Item>
              ),
            },
            {
              key: 'preview',
              label: t('kb.preview'),
              children: render.isPending ? (
                <Loading />
              ) : (
                <div className="kb-body" data-testid="article-preview" dangerouslySetInnerHTML={{ __html: preview }} />
              ),
            },
          ]}
        />
        <Space>
          {id ? (
            <Button type="primary" onClick={() => submit(false)} loading={save.isPending} data-testid="save-article">
              {t('common.save')}
            </Button>
          ) : (
            <>
              <Button onClick={() => submit(false)} loading={save.isPending} data-testid="save-draft">
                {t('kb.saveDraft')}
              </Button>
              <Button type="primary" onClick={() => submit(true)} loading={save.isPending} data-testid="save-publish">
                {t('kb.saveAndPublish')}
              </Button>
            </>
          )}
          <Button onClick={() => navigate(id ? `/kb/${id}` : '/kb')}>{t('common.cancel')}</Button>
        </Space>
      </Form>
    </section>
  );
}
