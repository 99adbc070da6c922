// What the create/edit forms share: the page and form around the fields, server errors onto
// fields, the 409 duplicate and 412 conflict dialogs.
import type { ReactNode } from 'react';
import { Alert, Button, Card, Col, Form, Modal, Row, Space, Typography, type FormInstance, type FormProps } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { ApiError } from '../api/errors';
import type { CustomField } from '../directory';
import { CustomFieldItem } from './CustomFieldInput';
import { describeError, ErrorState, Loading } from './states';

/** What a 409 duplicate answer says matched: `{entity: "lead" | "contact" | "customer", id}`. */
export interface DuplicateMatch {
  entity: string;
  id: string;
}

/** The `matches` of a 409 duplicate problem (leads name every record that matched). */
export function duplicateMatches(error: unknown): DuplicateMatch[] {
  if (!(error instanceof ApiError)) return [];
  const raw = (error.problem as Record<string, unknown>).matches;
  if (!Array.isArray(raw)) return [];
  return raw.filter((m): m is DuplicateMatch => !!m && typeof m === 'object' && typeof m.entity === 'string' && typeof m.id === 'string');
}

export type Outcome =
  | { kind: 'fields'; message: string | null }
  | { kind: 'duplicate'; existingId?: string; matches: DuplicateMatch[] }
  | { kind: 'conflict' }
  | { kind: 'other'; message: string };

/** Put a 422's field errors on the form's fields (those it has); say what the rest is. */
export function applyServerError(form: FormInstance, error: unknown, known: ReadonlySet<string>, t: TFunction): Outcome {
  if (error instanceof ApiError && error.status === 422 && error.problem.errors?.length) {
    const fields = error.fieldErrors();
    const onForm = fields.filter((f) => known.has(String(f.name[0])));
    form.setFields(onForm.map((f) => ({ name: f.name as never, errors: f.errors })));
    if (onForm[0]) form.scrollToField(onForm[0].name as never, { block: 'center' });
    const rest = fields.filter((f) => !onForm.includes(f));
    return { kind: 'fields', message: rest.length ? rest.map((f) => `${f.name.join('.')}: ${f.errors.join(', ')}`).join('; ') : null };
  }
  if (error instanceof ApiError && error.status === 409 && error.problem.existing_id)
    return { kind: 'duplicate', existingId: error.problem.existing_id, matches: duplicateMatches(error) };
  if (error instanceof ApiError && error.status === 412) return { kind: 'conflict' };
  return { kind: 'other', message: describeError(t, error) };
}

export function DuplicateModal({
  open,
  onCancel,
  onAnyway,
  onOpen,
  editing = false,
  title,
  detail,
  children,
}: {
  editing?: boolean;
  open: boolean;
  onCancel: () => void;
  onAnyway: () => void;
  onOpen?: () => void;
  /** Default: the customer's wording. */
  title?: string;
  detail?: string;
  /** What matched, when the answer names it. */
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Modal
      open={open}
      title={title ?? t('customer.duplicateTitle')}
      onCancel={onCancel}
      footer={[
        <Button key="cancel" onClick={onCancel}>
          {t('common.cancel')}
        </Button>,
        <Button key="anyway" onClick={onAnyway}>
          {editing ? t('customer.saveAnyway') : t('customer.createAnyway')}
        </Button>,
        onOpen ? (
          <Button key="open" type="primary" onClick={onOpen} data-testid="open-existing">
            {t('customer.openExisting')}
          </Button>
        ) : null,
      ]}
    >
      <p>{detail ?? t('customer.duplicateDetail')}</p>
      {children}
    </Modal>
  );
}

export function ConflictModal({
  open,
  onCancel,
  onReload,
  title,
}: {
  open: boolean;
  onCancel: () => void;
  onReload: () => void;
  title?: string;
}) {
  const { t } = useTranslation();
  return (
    <Modal
      open={open}
      title={title ?? t('customer.conflictTitle')}
      onCancel={onCancel}
      footer={[
        <Button key="cancel" onClick={onCancel}>
          {t('common.cancel')}
        </Button>,
        <Button key="reload" type="primary" data-testid="conflict-reload" onClick={onReload}>
          {t('common.reload')}
        </Button>,
      ]}
    >
      <p data-testid="conflict-message">{t('customer.conflictDetail')}</p>
    </Modal>
  );
}

/** The tenant's custom fields for this kind of record, two to a row on wide screens. */
export function CustomFieldsCard({ fields }: { fields: CustomField[] | undefined }) {
  const { t } = useTranslation();
  if (!fields?.length) return null;
  return (
    <Card title={t('customer.customFields')} style={{ marginTop: 16 }}>
      <Row gutter={16}>
        {fields.map((f) => (
          <Col xs={24} md={12} key={f.id}>
            <CustomFieldItem field={f} />
          </Col>
        ))}
      </Row>
    </Card>
  );
}

export function FormButtons({ busy, editing, onCancel }: { busy: boolean; editing: boolean; onCancel: () => void }) {
  const { t } = useTranslation();
  return (
    <Space style={{ marginTop: 16 }}>
      <Button type="primary" htmlType="submit" loading={busy}>
        {editing ? t('common.save') : t('common.create')}
      </Button>
      <Button onClick={onCancel}>{t('common.cancel')}</Button>
    </Space>
  );
}

/** A create/edit page: while the edited record loads, a spinner; if it cannot be had, why; then
 * the title, the last save's error, and the form (and its dialogs). `name` ("customer-form") names
 * the title's id and the form's test id. */
export function FormPage({
  name,
  title,
  error,
  record,
  children,
}: {
  name: string;
  title: string;
  error: string | null;
  /** The edited record's query (none when creating). */
  record?: { isLoading: boolean; isError: boolean; error: unknown; refetch: () => unknown };
  children: ReactNode;
}) {
  if (record?.isLoading) return <Loading />;
  if (record?.isError) return <ErrorState error={record.error} onRetry={() => void record.refetch()} />;
  return (
    <section aria-labelledby={`${name}-title`}>
      <div className="page-header">
        <Typography.Title level={2} id={`${name}-title`}>
          {title}
        </Typography.Title>
      </div>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} role="alert" />}
      {children}
    </section>
  );
}

/** The form: the page's fields in one card, then the tenant's custom fields, then save / cancel. */
export function RecordForm<V>({
  name,
  form,
  initialValues,
  busy,
  editing,
  customFields,
  onFinish,
  children,
}: {
  name: string;
  form: FormInstance<V>;
  initialValues: FormProps<V>['initialValues'];
  busy: boolean;
  editing: boolean;
  customFields?: CustomField[];
  onFinish: (values: V) => void;
  /** The fields, as columns of one row. */
  children: ReactNode;
}) {
  const navigate = useNavigate();
  return (
    <Form<V>
      form={form}
      layout="vertical"
      onFinish={onFinish}
      initialValues={initialValues}
      disabled={busy}
      scrollToFirstError
      data-testid={name}
    >
      <Card>
        <Row gutter={16}>{children}</Row>
      </Card>
      <CustomFieldsCard fields={customFields} />
      <FormButtons busy={busy} editing={editing} onCancel={() => navigate(-1)} />
    </Form>
  );
}
