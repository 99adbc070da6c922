import { useState, type Key } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useUserOptions } from '../directory';
import { describeError } from './states';

/** The rows of a list picked for bulk assignment: `rowSelection` goes to the table (none, and
 * nothing selected, when the caller may not assign). */
export function useRowSelection<T extends { id: string }>(enabled: boolean, label: (row: T) => string) {
  const [selected, setSelected] = useState<string[]>([]);
  return {
    selected: enabled ? selected : [],
    clear: () => setSelected([]),
    rowSelection: enabled
      ? {
          selectedRowKeys: selected,
          onChange: (keys: Key[]) => setSelected(keys as string[]),
          // a name for each checkbox, for screen readers
          getCheckboxProps: (row: T) => ({ 'aria-label': label(row) }) as never,
        }
      : undefined,
  };
}

interface Props {
  selection: { selected: string[]; clear: () => void };
  assign: (id: string, ownerId: string) => Promise<unknown>;
  doneMessage: (count: number) => string;
  /** The query key to refresh afterwards (the list's). */
  refresh: readonly unknown[];
}

/** Assign the selected records of a list to one user, record by record (each is checked on the
 * server: a record out of the caller's range fails alone and is reported). Shown while any row is
 * selected; the selection is cleared afterwards. */
export function BulkAssignBar(props: Props) {
  // a new bar (no assignee picked) for each selection
  return props.selection.selected.length > 0 ? <Bar {...props} /> : null;
}

function Bar({ selection, assign, doneMessage, refresh }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const userOptions = useUserOptions();
  const [assignee, setAssignee] = useState<string>();
  const [assigning, setAssigning] = useState(false);

  async function run() {
    if (!assignee || !selection.selected.length) return;
    setAssigning(true);
    const results = await Promise.allSettled(selection.selected.map((id) => assign(id, assignee)));
    setAssigning(false);
    const failed = results.filter((r) => r.status === 'rejected');
    const done = results.length - failed.length;
    if (done) message.success(doneMessage(done));
    if (failed.length)
      message.error(
        `${t('customer.assignFailed', { count: failed.length })}: ${describeError(t, (failed[0] as PromiseRejectedResult).reason)}`,
      );
    selection.clear();
    await queryClient.invalidateQueries({ queryKey: refresh });
  }

  return (
    <div className="toolbar" data-testid="bulk-bar">
      <Typography.Text strong style={{ alignSelf: 'center' }}>
        {t('customer.selected', { count: selection.selected.length })}
      </Typography.Text>
      <Select
        aria-label={t('customer.assignTo')}
        placeholder={t('customer.assignTo')}
        value={assignee}
        onChange={setAssignee}
        options={userOptions}
        showSearch={{ optionFilterProp: 'label' }}
        style={{ width: 240 }}
      />
      <Button type="primary" disabled={!assignee} loading={assigning} onClick={() => void run()}>
        {t('customer.assign')}
      </Button>
    </div>
  );
}
