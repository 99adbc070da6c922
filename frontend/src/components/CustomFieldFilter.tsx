import { Input, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';

/** One `custom.<key>=<value>` filter of a list: the field, then the value (kept in the URL as ck/cv). */
export function CustomFieldFilter(props: {
  fields: { key: string; label: string }[];
  fieldKey: string | undefined;
  value: string | undefined;
  onField: (key: string | undefined) => void;
  onValue: (value: string | undefined) => void;
}) {
  const { t } = useTranslation();
  if (!props.fields.length) return null;
  return (
    <Space.Compact>
      <Select
        aria-label={t('customer.filter.custom')}
        placeholder={t('customer.filter.custom')}
        value={props.fieldKey}
        allowClear
        onChange={(v: string | undefined) => props.onField(v)}
        options={props.fields.map((f) => ({ value: f.key, label: f.label }))}
        style={{ width: 150 }}
      />
      <Input
        aria-label={t('customer.filter.customValue')}
        placeholder={t('customer.filter.customValue')}
        defaultValue={props.value}
        onPressEnter={(e) => props.onValue((e.target as HTMLInputElement).value.trim() || undefined)}
        onBlur={(e) => props.onValue(e.target.value.trim() || undefined)}
        style={{ width: 120 }}
      />
    </Space.Compact>
  );
}
