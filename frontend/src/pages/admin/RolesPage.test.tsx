import { useState } from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import '../../i18n';
import { draftOf, PermissionMatrix, type RoleDraft } from './RolesPage';

const ROLE = {
  id: 'r1',
  key: 'viewer',
  name: 'Viewer',
  description: '',
  is_system: false,
  permissions: ['customers:read'],
  data_ranges: { customers: { range: 'own' as const, regions: ['g1'], customer_types: null } },
  created_at: '',
  updated_at: '',
  version: 3,
};

function Harness({ onDraft }: { onDraft: (d: RoleDraft) => void }) {
  const [draft, setDraft] = useState(draftOf(ROLE));
  return (
    <PermissionMatrix
      draft={draft}
      onChange={(d) => {
        setDraft(d);
        onDraft(d);
      }}
      readOnly={false}
      regions={[{ id: 'g1', name: 'East China' }]}
    />
  );
}

describe('PermissionMatrix', () => {
  it('toggles resource x action permissions and keeps the narrowing', async () => {
    let last: RoleDraft | null = null;
    render(<Harness onDraft={(d) => (last = d)} />);
    const read = screen.getByLabelText('Customers Read');
    expect(read).toBeChecked();
    await userEvent.click(screen.getByLabelText('Contacts Update'));
    await userEvent.click(read);
    expect([...last!.permissions]).toEqual(['contacts:update']);
    expect(last!.ranges.customers).toEqual({ range: 'own', regions: ['g1'], customer_types: null });
  });

  it('is read-only for a system role', () => {
    render(<PermissionMatrix draft={draftOf({ ...ROLE, is_system: true })} onChange={() => {}} readOnly />);
    expect(screen.getByLabelText('Customers Read')).toBeDisabled();
  });
});
