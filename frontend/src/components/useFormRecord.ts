// The record an edit form starts from.
import { useEffect, useMemo } from 'react';
import type { UseQueryResult } from '@tanstack/react-query';
import type { FormInstance } from 'antd';

/** The loaded record's values put on the form (`initial`), and `reload`: fetch it again and put
 * what it is now on the form (after a 412: someone else changed it meanwhile). */
export function useFormRecord<R, V>(form: FormInstance<V>, record: UseQueryResult<R>, toValues: (record: R) => V) {
  const initial = useMemo(() => (record.data ? toValues(record.data) : undefined), [record.data, toValues]);
  useEffect(() => {
    if (initial) form.setFieldsValue(initial as never);
  }, [initial, form]);
  async function reload() {
    const fresh = await record.refetch();
    if (fresh.data) form.setFieldsValue(toValues(fresh.data) as never);
  }
  return { initial, reload };
}
