import { Form, Input, InputNumber, Select, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import type { CustomField } from '../directory';

/** One form item for a tenant-defined field, under custom_fields.<key>. */
export function CustomFieldItem({ field }: { field: CustomField }) {
  const { t } = useTranslation();
  const name = ['custom_fields', field.key];
  const rules = field.required ? [{ required: true, message: t('common.required') }] : [];
  const common = { name, label: field.label, rules };
  switch (field.type) {
    case 'number':
      return (
        <Form.Item {...common}>
          <InputNumber style={{ width: '100%' }} />
        </Form.Item>
      );
    case 'bool':
      return (
        <Form.Item {...common} valuePropName="checked">
          <Switch />
        </Form.Item>
      );
    case 'select':
      return (
        <Form.Item {...common}>
          <Select allowClear options={field.options.map((o) => ({ value: o, label: o }))} />
        </Form.Item>
      );
    case 'multiselect':
      return (
        <Form.Item {...common}>
          <Select mode="multiple" allowClear options={field.options.map((o) => ({ value: o, label: o }))} />
        </Form.Item>
      );
    case 'date':
      return (
        <Form.Item {...common}>
          <Input type="date" />
        </Form.Item>
      );
    case 'email':
      return (
        <Form.Item {...common}>
          <Input inputMode="email" autoComplete="off" />
        </Form.Item>
      );
    case 'phone':
      return (
        <Form.Item {...common}>
          <Input type="tel" inputMode="tel" />
        </Form.Item>
      );
    case 'url':
      return (
        <Form.Item {...common}>
          <Input inputMode="url" />
        </Form.Item>
      );
    default:
      return (
        <Form.Item {...common}>
          <Input />
        </Form.Item>
      );
  }
}

function empty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/** Form values of custom fields -> the body's custom_fields: empties dropped on create, null on
 * update when a value was removed, only changed keys on update. */
export function customFieldsBody(
  values: Record<string, unknown> | undefined,
  initial: Record<string, unknown> | undefined,
  mode: 'create' | 'update',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values ?? {})) {
    if (mode === 'create') {
      if (!empty(value)) out[key] = value;
      continue;
    }
    const before = initial?.[key];
    if (empty(value) && empty(before)) continue;
    if (JSON.stringify(value) === JSON.stringify(before)) continue;
    out[key] = empty(value) ? null : value;
  }
  return out;
}
