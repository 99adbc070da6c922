// What a create/edit form does around its write: one save at a time, one idempotency key per
// attempt, and the server's refusal shown where it belongs (on the fields, as a duplicate to
// confirm, as a conflict to reload, or above the form).
import { useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { App, type FormInstance } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { newIdempotencyKey } from '../api/client';
import { ApiError } from '../api/errors';
import { applyServerError, type DuplicateMatch } from './recordForm';

/** How the page's write is to be sent. */
export interface SaveRequest {
  idempotencyKey: string;
  /** The request's query: `allow_duplicate` once the user confirmed a 409 duplicate. */
  query: { allow_duplicate?: boolean };
}

export function useRecordSave<V>({
  form,
  known,
  write,
  reload,
}: {
  form: FormInstance<V>;
  /** The body's fields the form has, to put a 422's errors on. */
  known: ReadonlySet<string>;
  /** Sends the values (and goes on to what follows a success); throws what the server answered. */
  write: (values: V, request: SaveRequest) => Promise<void>;
  /** After a 412 conflict: the record as it is now onto the form. */
  reload?: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [duplicate, setDuplicate] = useState<{ existingId?: string; matches: DuplicateMatch[]; values: V } | null>(null);
  const [conflict, setConflict] = useState(false);
  const idempotencyKey = useRef(newIdempotencyKey());

  async function save(values: V, allowDuplicate = false) {
    setBusy(true);
    setFormError(null);
    try {
      await write(values, { idempotencyKey: idempotencyKey.current, query: allowDuplicate ? { allow_duplicate: true } : {} });
    } catch (error) {
      // The server answered: the next attempt is a new request (a reused key with another body is refused).
      if (error instanceof ApiError) idempotencyKey.current = newIdempotencyKey();
      const outcome = applyServerError(form, error, known, t);
      if (outcome.kind === 'duplicate') setDuplicate({ existingId: outcome.existingId, matches: outcome.matches, values });
      else if (outcome.kind === 'conflict') setConflict(true);
      else setFormError(outcome.message);
    } finally {
      setBusy(false);
    }
  }

  return {
    busy,
    formError,
    /** What the 409 named, while its dialog is open. */
    duplicate,
    save,
    /** Props of the DuplicateModal: cancel, or the same values again as a new request that allows it. */
    duplicateModal: {
      open: !!duplicate,
      onCancel: () => setDuplicate(null),
      onAnyway: () => {
        const values = duplicate!.values;
        setDuplicate(null);
        idempotencyKey.current = newIdempotencyKey();
        void save(values, true);
      },
    },
    /** Props of the ConflictModal: cancel, or reload the record. */
    conflictModal: {
      open: conflict,
      onCancel: () => setConflict(false),
      onReload: async () => {
        setConflict(false);
        await reload?.();
      },
    },
  };
}

/** What follows a saved record: say so, refresh the collection's queries, open the record in place
 * of the form. `collection` is both its path and its query key ("customers"). */
export function useOpenSaved(collection: string) {
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return async (done: string, id: string) => {
    message.success(done);
    await queryClient.invalidateQueries({ queryKey: [collection] });
    navigate(`/${collection}/${id}`, { replace: true });
  };
}
