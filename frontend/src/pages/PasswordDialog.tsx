import { useState } from 'react';
import { App, Checkbox, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import { ApiError } from '../api/errors';
import { setAccessToken } from '../api/session';
import { describeError } from '../components/states';

interface Values {
  current_password: string;
  new_password: string;
  confirm: string;
  keep_api_tokens?: boolean;
}

export default function PasswordDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);

  async function submit(values: Values) {
    setBusy(true);
    try {
      const pair = await unwrap(
        api.POST('/api/v1/auth/password', {
          body: {
            current_password: values.current_password,
            new_password: values.new_password,
            keep_api_tokens: values.keep_api_tokens ?? false,
          },
        }),
      );
      setAccessToken(pair.access_token);
      message.success(t('password.changed'));
      form.resetFields();
      onClose();
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && error.problem.errors?.length) {
        form.setFields(
          error.fieldErrors().map((f) => ({
            name: f.name as never,
            // the one check the user can act on without reading English
            errors: f.name[0] === 'current_password' ? [t('password.wrongCurrent')] : f.errors,
          })),
        );
      } else if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        form.setFields([{ name: 'current_password', errors: [t('password.wrongCurrent')] }]);
      } else {
        form.setFields([{ name: 'new_password', errors: [describeError(t, error)] }]);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={open}
      title={t('password.title')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item name="current_password" label={t('password.current')} rules={[{ required: true, message: t('common.required') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item
          name="new_password"
          label={t('password.next')}
          extra={t('password.rules')}
          rules={[{ required: true, message: t('common.required') }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('password.confirm')}
          dependencies={['new_password']}
          rules={[
            { required: true, message: t('common.required') },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || value === getFieldValue('new_password') ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="keep_api_tokens" valuePropName="checked" extra={t('password.keepApiTokensHelp')}>
          <Checkbox>{t('password.keepApiTokens')}</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}
