// /survey/:token: the customer's one-time survey link. No login; it calls only the public
// endpoints, with no token. Shows the questions, then thank-you, expired or already-answered.
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Form, Result, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import { describeError, Loading } from '../../components/states';
import { AnswerInput, answersOf, publicApi } from './surveyBits';

type State = 'answered' | 'already' | 'expired' | 'missing';

function stateOf(error: unknown): State | null {
  if (!(error instanceof ApiError)) return null;
  return ({ 409: 'already', 410: 'expired', 404: 'missing', 422: null } as Record<number, State | null>)[error.status] ?? null;
}

export default function PublicSurveyPage() {
  const { t } = useTranslation();
  const { token = '' } = useParams();
  const [form] = Form.useForm<Record<string, unknown>>();
  const [done, setDone] = useState<State | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const survey = useQuery({
    queryKey: ['public-survey', token],
    queryFn: () => unwrap(publicApi.GET('/api/v1/public/surveys/{token}', { params: { path: { token } } })),
    retry: false,
  });

  async function submit(values: Record<string, unknown>) {
    if (!survey.data) return;
    setBusy(true);
    setFailure(null);
    try {
      await unwrap(
        publicApi.POST('/api/v1/public/surveys/{token}', {
          params: { path: { token } },
          body: { answers: answersOf(survey.data.questions, values) as never },
        }),
      );
      setDone('answered');
    } catch (error) {
      const state = stateOf(error);
      if (state) setDone(state);
      else if (error instanceof ApiError && error.status === 422 && error.problem.errors?.length) {
        form.setFields(
          error.problem.errors.map((e) => ({ name: e.field.replace(/^answers\./, '').split('.')[0] as never, errors: [e.message] })),
        );
      } else setFailure(describeError(t, error));
    } finally {
      setBusy(false);
    }
  }

  const state = done ?? (survey.isError ? stateOf(survey.error) : null);
  let body;
  if (state === 'answered') body = <Result status="success" title={t('surveys.public.thanks')} data-testid="survey-thanks" />;
  else if (state === 'already') body = <Result status="info" title={t('surveys.public.already')} data-testid="survey-already" />;
  else if (state === 'expired') body = <Result status="warning" title={t('surveys.public.expired')} data-testid="survey-expired" />;
  else if (state === 'missing' || (survey.isError && !state))
    body = <Result status="404" title={t('surveys.public.missing')} data-testid="survey-missing" />;
  else if (survey.isLoading || !survey.data) body = <Loading />;
  else {
    const s = survey.data;
    body = (
      <>
        <Typography.Text type="secondary">{s.organization}</Typography.Text>
        <Typography.Title level={3} style={{ marginTop: 4 }}>
          {s.name}
        </Typography.Title>
        {s.subject && <Typography.Paragraph>{t('surveys.public.about', { subject: s.subject })}</Typography.Paragraph>}
        {s.description && <Typography.Paragraph type="secondary">{s.description}</Typography.Paragraph>}
        <Form form={form} layout="vertical" onFinish={submit} data-testid="public-survey-form">
          {s.questions.map((q) => (
            <Form.Item key={q.id} name={q.id} label={q.text} rules={q.required ? [{ required: true, message: t('common.required') }] : []}>
              <AnswerInput question={q} />
            </Form.Item>
          ))}
          {failure && <Typography.Paragraph type="danger">{failure}</Typography.Paragraph>}
          <Button type="primary" htmlType="submit" loading={busy} data-testid="survey-submit">
            {t('surveys.public.submit')}
          </Button>
        </Form>
      </>
    );
  }
  return (
    <div style={{ minHeight: '100vh', background: '#f5f5f5', padding: '32px 16px' }}>
      <main style={{ maxWidth: 720, margin: '0 auto' }}>
        <Card>{body}</Card>
      </main>
    </div>
  );
}
