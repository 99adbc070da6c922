import { Component, type ReactNode } from 'react';
import { Button, Result } from 'antd';
import i18n from '../i18n';

/** A rendering error shows a message with a way out instead of a blank screen. */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey?: string }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  componentDidUpdate(previous: { resetKey?: string }) {
    if (this.state.failed && previous.resetKey !== this.props.resetKey) this.setState({ failed: false });
  }

  componentDidCatch(error: unknown) {
    console.error(error);
  }

  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <Result
        status="error"
        title={i18n.t('common.loadError')}
        extra={<Button onClick={() => window.location.reload()}>{i18n.t('common.reload')}</Button>}
      />
    );
  }
}
