// A record page's writes (status moves, assign, escalate...): one at a time, a message on success
// or failure, the record's queries refreshed afterwards.
import { useCallback, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { describeError } from './states';

/** `run(action, done)` resolves to whether the action worked; `busy` while one runs. `refresh`:
 * the query key to invalidate after a success (none: the caller refreshes what it needs). */
export function useAction(refresh?: readonly unknown[]) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const key = JSON.stringify(refresh ?? null);
  const run = useCallback(
    async (action: () => Promise<unknown>, done: string): Promise<boolean> => {
      setBusy(true);
      try {
        await action();
        message.success(done);
        const queryKey = JSON.parse(key) as unknown[] | null;
        if (queryKey) await queryClient.invalidateQueries({ queryKey });
        return true;
      } catch (error) {
        message.error(describeError(t, error));
        return false;
      } finally {
        setBusy(false);
      }
    },
    [key, message, queryClient, t],
  );
  return { busy, run };
}
