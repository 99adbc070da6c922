// Shown on a list opened from a report's figure (`?where=<condition tree>`): says the list is
// narrowed to that figure's records, and closing it lists everything again.
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

export function DrillNotice({ where, onClear }: { where: string | undefined; onClear: () => void }) {
  const { t } = useTranslation();
  if (!where) return null;
  return (
    <Tag closable color="purple" onClose={onClear} data-testid="drill-notice">
      {t('reports.drilledFrom')}
    </Tag>
  );
}
