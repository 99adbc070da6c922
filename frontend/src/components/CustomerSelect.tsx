import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';

/** A customer picker that searches the server as you type. */
export function CustomerSelect({
  value,
  onChange,
  id,
  ariaLabel,
}: {
  value?: string;
  onChange?: (v: string | undefined) => void;
  id?: string;
  ariaLabel?: string;
}) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const found = useQuery({
    queryKey: ['customers', 'pick', q],
    queryFn: () => unwrap(api.GET('/api/v1/customers', { params: { query: { q: q || undefined, limit: 20, sort: 'name' } } })),
  });
  const current = useQuery({
    queryKey: ['customers', 'one', value],
    enabled: !!value,
    queryFn: () => unwrap(api.GET('/api/v1/customers/{customer_id}', { params: { path: { customer_id: value! } } })),
  });
  const options = (found.data?.items ?? []).filter((c) => 'name' in c).map((c) => ({ value: c.id, label: (c as { name: string }).name }));
  if (current.data && !options.some((o) => o.value === current.data.id))
    options.unshift({ value: current.data.id, label: current.data.name });
  return (
    <Select
      id={id}
      aria-label={ariaLabel}
      style={{ minWidth: 200 }}
      value={value}
      onChange={onChange}
      allowClear
      showSearch={{ filterOption: false, onSearch: (text) => setQ(text.trim()) }}
      placeholder={t('contact.customerSearch')}
      loading={found.isFetching}
      options={options}
    />
  );
}
