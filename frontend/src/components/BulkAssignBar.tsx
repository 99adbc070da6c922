import { useState } from 'react';
import { App, Button, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { describeError } from './states';

/** Assign the selected records of a list to one user, record by record (each is checked on the
 * server: a record out of the caller's range fails alone and is reported). */
export function BulkAssignBar(props: {
  selected: string[];
  userOptions: { value: string; label: string }[];
  assign: (id: string, ownerId: string) => Promise<unknown>;
  doneMessage: (count: number) => string;
  onDone: () => Promise<void> | void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [assignee, setAssignee] = useState<string>();
  const [assigning, setAssigning] = useState(false);

  async function run() {
    if (!assignee || !props.selected.length) return;
    setAssigning(true);
    const results = await Promise.allSettled(props.selected.map((id) => props.assign(id, assignee)));
    setAssigning(false);
    const failed = results.filter((r) => r.status === 'rejected');
    const done = results.length - failed.length;
    if (done) message.success(props.doneMessage(done));
    if (failed.length)
      message.error(
        `${t('customer.assignFailed', { count: failed.length })}: ${describeError(t, (failed[0] as PromiseRejectedResult).reason)}`,
      );
    await props.onDone();
  }

  return (
    <div className="toolbar" data-testid="bulk-bar">
      <Typography.Text strong style={{ alignSelf: 'center' }}>
        {t('customer.selected', { count: props.selected.length })}
      </Typography.Text>
      <Select
        aria-label={t('customer.assignTo')}
        placeholder={t('customer.assignTo')}
        value={assignee}
        onChange={setAssignee}
        options={props.userOptions}
        showSearch={{ optionFilterProp: 'label' }}
        style={{ width: 240 }}
      />
      <Button type="primary" disabled={!assignee} loading={assigning} onClick={() => void run()}>
        {t('customer.assign')}
      </Button>
    </div>
  );
}
