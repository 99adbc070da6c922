// /surveys/new and /surveys/:id/edit: the survey builder. Questions of each type can be added,
// reordered and removed; choice questions take their choices. Once a survey has responses the
// server refuses new questions (409): the page says so and offers to save them as a new survey.
import { useEffect, useState } from 'react';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, InputNumber, Select, Space, Switch, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { ApiError } from '../../api/errors';
import { applyServerError } from '../../components/recordForm';
import { ErrorState, Loading } from '../../components/states';
import { QUESTION_TYPES, type QuestionType } from './surveyBits';

interface QuestionValues {
  id?: string;
  type: QuestionType;
  text: string;
  required: boolean;
  choices?: string[];
}
interface Values {
  name: string;
  description?: string;
  active: boolean;
  is_ticket_csat: boolean;
  link_valid_days: number;
  questions: QuestionValues[];
}

const CHOICE_TYPES: QuestionType[] = ['single', 'multiple'];
const KNOWN = new Set(['name', 'description', 'active', 'is_ticket_csat', 'link_valid_days', 'questions']);

export default function SurveyBuilderPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [locked, setLocked] = useState(false);
  const existing = useQuery({
    queryKey: ['surveys', id],
    enabled: !!id,
    queryFn: () => unwrap(api.GET('/api/v1/surveys/{survey_id}', { params: { path: { survey_id: id! } } })),
  });

  useEffect(() => {
    if (existing.data) form.setFieldsValue({ ...existing.data, description: existing.data.description ?? '' });
  }, [existing.data, form]);

  function body(values: Values) {
    return {
      name: values.name.trim(),
      description: values.description?.trim() || null,
      active: values.active,
      is_ticket_csat: values.is_ticket_csat,
      link_valid_days: values.link_valid_days,
      questions: (values.questions ?? []).map((q) => ({
        id: q.id || null,
        type: q.type,
        text: q.text,
        required: !!q.required,
        choices: CHOICE_TYPES.includes(q.type) ? (q.choices ?? []) : [],
      })),
    };
  }

  async function save(values: Values, asNew = false) {
    setBusy(true);
    try {
      const payload = body(values);
      if (id && !asNew) {
        await unwrap(api.PATCH('/api/v1/surveys/{record_id}', { params: { path: { record_id: id } }, body: payload as never }));
      } else {
        await unwrap(api.POST('/api/v1/surveys', { body: { ...payload, is_ticket_csat: asNew ? false : payload.is_ticket_csat } }));
      }
      await queryClient.invalidateQueries({ queryKey: ['surveys'] });
      message.success(t('common.saved'));
      navigate('/surveys');
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) setLocked(true);
      else {
        const outcome = applyServerError(form, error, KNOWN, t);
        if (outcome.kind === 'other' || (outcome.kind === 'fields' && outcome.message)) message.error(outcome.message);
      }
    } finally {
      setBusy(false);
    }
  }

  if (id && existing.isLoading) return <Loading />;
  if (id && existing.isError) return <ErrorState error={existing.error} onRetry={() => void existing.refetch()} />;
  return (
    <div style={{ maxWidth: 860 }}>
      <Typography.Title level={2}>{id ? t('surveys.edit') : t('surveys.new')}</Typography.Title>
      {locked && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('surveys.builder.locked')}
          action={
            <Button size="small" onClick={() => void save(form.getFieldsValue(true) as Values, true)} data-testid="save-as-new">
              {t('surveys.builder.saveAsNew')}
            </Button>
          }
        />
      )}
      <Form<Values>
        form={form}
        layout="vertical"
        onFinish={(v) => void save(v)}
        initialValues={{
          active: true,
          is_ticket_csat: false,
          link_valid_days: 14,
          questions: [{ type: 'rating', text: '', required: true }],
        }}
        data-testid="survey-form"
      >
        <Form.Item
          name="name"
          label={t('surveys.fields.name')}
          rules={[{ required: true, whitespace: true, message: t('common.required') }]}
        >
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="description" label={t('surveys.fields.description')}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Space size="large" wrap>
          <Form.Item name="active" label={t('surveys.fields.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item
            name="is_ticket_csat"
            label={t('surveys.fields.is_ticket_csat')}
            valuePropName="checked"
            tooltip={t('surveys.builder.csatHelp')}
          >
            <Switch data-testid="ticket-csat" />
          </Form.Item>
          <Form.Item name="link_valid_days" label={t('surveys.fields.link_valid_days')}>
            <InputNumber min={1} max={90} />
          </Form.Item>
        </Space>
        <Form.List name="questions">
          {(fields, { add, remove, move }) => (
            <>
              {fields.map((field, index) => (
                <Card
                  key={field.key}
                  size="small"
                  style={{ marginBottom: 12 }}
                  title={t('surveys.builder.question', { n: index + 1 })}
                  data-testid={`question-${index}`}
                  extra={
                    <Space size={0}>
                      <Button
                        type="text"
                        icon={<ArrowUpOutlined />}
                        disabled={index === 0}
                        onClick={() => move(index, index - 1)}
                        aria-label={t('surveys.builder.up')}
                      />
                      <Button
                        type="text"
                        icon={<ArrowDownOutlined />}
                        disabled={index === fields.length - 1}
                        onClick={() => move(index, index + 1)}
                        aria-label={t('surveys.builder.down')}
                      />
                      <Button
                        type="text"
                        danger
                        icon={<DeleteOutlined />}
                        onClick={() => remove(field.name)}
                        aria-label={t('surveys.builder.remove')}
                      />
                    </Space>
                  }
                >
                  <Form.Item name={[field.name, 'id']} hidden>
                    <Input />
                  </Form.Item>
                  <Space align="start" wrap style={{ width: '100%' }}>
                    <Form.Item name={[field.name, 'type']} label={t('surveys.fields.type')} rules={[{ required: true }]}>
                      <Select
                        style={{ width: 200 }}
                        aria-label={t('surveys.fields.type')}
                        options={QUESTION_TYPES.map((q) => ({ value: q, label: t(`surveys.type.${q}`) }))}
                      />
                    </Form.Item>
                    <Form.Item name={[field.name, 'required']} label={t('surveys.fields.required')} valuePropName="checked">
                      <Switch />
                    </Form.Item>
                  </Space>
                  <Form.Item
                    name={[field.name, 'text']}
                    label={t('surveys.fields.text')}
                    rules={[{ required: true, whitespace: true, message: t('common.required') }]}
                  >
                    <Input maxLength={500} data-testid={`question-text-${index}`} />
                  </Form.Item>
                  <Form.Item noStyle shouldUpdate>
                    {() =>
                      CHOICE_TYPES.includes(form.getFieldValue(['questions', field.name, 'type'])) && (
                        <Form.Item
                          name={[field.name, 'choices']}
                          label={t('surveys.fields.choices')}
                          extra={t('surveys.builder.choicesHelp')}
                          rules={[{ type: 'array', min: 2, message: t('surveys.builder.twoChoices') }]}
                        >
                          <Select mode="tags" open={false} tokenSeparators={[',', '，']} data-testid={`question-choices-${index}`} />
                        </Form.Item>
                      )
                    }
                  </Form.Item>
                </Card>
              ))}
              <Space wrap style={{ marginBottom: 16 }}>
                {QUESTION_TYPES.map((type) => (
                  <Button
                    key={type}
                    icon={<PlusOutlined />}
                    onClick={() => add({ type, text: '', required: false, choices: [] })}
                    data-testid={`add-${type}`}
                  >
                    {t(`surveys.type.${type}`)}
                  </Button>
                ))}
              </Space>
            </>
          )}
        </Form.List>
        <Space>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="save-survey">
            {t('common.save')}
          </Button>
          <Button onClick={() => navigate('/surveys')}>{t('common.cancel')}</Button>
        </Space>
      </Form>
    </div>
  );
}
