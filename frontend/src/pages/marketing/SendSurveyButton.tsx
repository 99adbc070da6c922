// "Send satisfaction survey": picks an active survey and sends it to the event's attendees
// (POST /campaigns/{id}/survey); the message says how many were invited and who was skipped.
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Button, Modal, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { useAction } from '../../components/useAction';

export function SendSurveyButton({ campaignId, current }: { campaignId: string; current: string | null }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [surveyId, setSurveyId] = useState<string | null>(current);
  const surveys = useQuery({ queryKey: ['surveys'], queryFn: () => unwrap(api.GET('/api/v1/surveys')), enabled: open });
  const { busy, run } = useAction(['campaigns', campaignId]);
  const [summary, setSummary] = useState('');

  async function send() {
    if (!surveyId) return;
    const ok = await run(async () => {
      const sent = await unwrap(
        api.POST('/api/v1/campaigns/{campaign_id}/survey', {
          params: { path: { campaign_id: campaignId } },
          body: { survey_id: surveyId },
        }),
      );
      setSummary(t('campaignStats.sendSurvey.sent', { invited: sent.invited, already: sent.already_invited, leads: sent.skipped_leads }));
    }, t('campaignStats.sendSurvey.done'));
    if (ok) setOpen(false);
  }

  return (
    <>
      <Button size="small" onClick={() => setOpen(true)} data-testid="send-survey">
        {t('campaignStats.sendSurvey.button')}
      </Button>
      {summary && <div data-testid="survey-sent">{summary}</div>}
      <Modal
        open={open}
        title={t('campaignStats.sendSurvey.title')}
        okText={t('campaignStats.sendSurvey.send')}
        okButtonProps={{ disabled: !surveyId, loading: busy }}
        onOk={() => void send()}
        onCancel={() => setOpen(false)}
      >
        <p>{t('campaignStats.sendSurvey.help')}</p>
        <Select
          style={{ width: '100%' }}
          aria-label={t('campaignStats.sendSurvey.survey')}
          value={surveyId ?? undefined}
          onChange={(v) => setSurveyId(v)}
          loading={surveys.isLoading}
          options={(surveys.data?.items ?? []).filter((s) => s.active).map((s) => ({ value: s.id, label: s.name }))}
        />
      </Modal>
    </>
  );
}
