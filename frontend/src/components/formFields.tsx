// Form items that several record forms share, each in its column of the form's grid.
import { Col, Form, Input, Select, type FormItemProps, type SelectProps } from 'antd';
import { useTranslation } from 'react-i18next';
import { useRegions, useUsers } from '../directory';

/** Half a row on wide screens, the whole row on phones. */
export const HALF = { xs: 24, md: 12 };

/** A form item in half a row (the whole row on phones). */
export function HalfItem(props: FormItemProps) {
  return (
    <Col {...HALF}>
      <Form.Item {...props} />
    </Col>
  );
}

/** A form item across the whole row. */
export function FullItem(props: FormItemProps) {
  return (
    <Col span={24}>
      <Form.Item {...props} />
    </Col>
  );
}

/** A free list of words (tags, competitors, phone numbers): typed, split at the separators, no dropdown. */
export function TagsInput({ separators = [','], ...props }: SelectProps & { separators?: string[] }) {
  return <Select mode="tags" tokenSeparators={separators} open={false} suffixIcon={null} {...props} />;
}

/** The record's name: required, not blank. */
export function NameItem({ label }: { label: string }) {
  const { t } = useTranslation();
  return (
    <HalfItem name="name" label={label} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
      <Input maxLength={200} />
    </HalfItem>
  );
}

/** The record's region; only where the tenant has regions. */
export function RegionItem({ label }: { label: string }) {
  const regions = useRegions();
  if (!regions.data?.length) return null;
  return (
    <HalfItem name="region_id" label={label}>
      <Select allowClear options={regions.data.map((r) => ({ value: r.id, label: r.name }))} />
    </HalfItem>
  );
}

/** Who owns the record, one of the active users; only for a caller who may assign (and read users). */
export function OwnerItem({
  label,
  mayAssign,
  allowClear,
  extra,
  ariaLabel,
  leading = [],
}: {
  label: string;
  mayAssign: boolean;
  allowClear: boolean;
  /** A help line under the select. */
  extra?: string;
  ariaLabel?: string;
  /** Choices before the users (a ticket's "leave it in the queue"). */
  leading?: { value: string; label: string }[];
}) {
  const users = useUsers();
  if (!mayAssign || !users.data?.length) return null;
  return (
    <HalfItem name="owner_id" label={label} extra={extra}>
      <Select
        aria-label={ariaLabel}
        allowClear={allowClear}
        showSearch={{ optionFilterProp: 'label' }}
        options={[...leading, ...users.data.filter((u) => u.active).map((u) => ({ value: u.id, label: u.name }))]}
      />
    </HalfItem>
  );
}

/** The record's tags, a whole row. */
export function TagsItem({ label, ariaLabel }: { label: string; ariaLabel?: string }) {
  return (
    <FullItem name="tags" label={label}>
      <TagsInput aria-label={ariaLabel} />
    </FullItem>
  );
}

/** The free text about the record, a whole row. */
export function DescriptionItem({ label, rows = 3, maxLength = 5000 }: { label: string; rows?: number; maxLength?: number }) {
  return (
    <FullItem name="description" label={label}>
      <Input.TextArea rows={rows} maxLength={maxLength} />
    </FullItem>
  );
}
