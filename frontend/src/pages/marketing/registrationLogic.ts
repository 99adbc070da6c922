// Pure helpers of event registration (the public page and the staff panel), tested by vitest.
import type { components } from '../../api/schema';

export type PublicEvent = components['schemas']['PublicEventOut'];
export type PublicSession = components['schemas']['PublicSessionOut'];
export type RegistrationBody = components['schemas']['RegistrationIn'];
export type RegistrationSettings = components['schemas']['RegistrationSettingsOut'];
export type RegistrationSettingsIn = components['schemas']['RegistrationSettingsIn'];
export type Localized = Record<string, string | undefined>;

/** The text in the reader's language, else the other one. */
export function textIn(texts: Localized | null | undefined, language: string): string {
  const own = language === 'zh-CN' ? 'zh-CN' : 'en';
  const other = own === 'zh-CN' ? 'en' : 'zh-CN';
  return texts?.[own] || texts?.[other] || '';
}

export type PageValues = {
  name?: string;
  email?: string;
  phone?: string;
  company?: string;
  session_id?: string;
  website?: string;
  answers?: Record<string, unknown>;
  consents?: Record<string, boolean | undefined>;
};

/** The request body from the form's values: blanks left out, every consent sent as true/false. */
export function registrationBody(event: PublicEvent, values: PageValues): RegistrationBody {
  const blank = (v: string | undefined) => (v && v.trim() ? v.trim() : null);
  const answers: Record<string, unknown> = {};
  for (const field of event.fields) {
    const value = values.answers?.[field.key];
    if (field.type === 'checkbox') answers[field.key] = !!value;
    else if (typeof value === 'string' && value.trim()) answers[field.key] = value.trim();
  }
  const consents: Record<string, boolean> = {};
  for (const box of event.consents) consents[box.key] = !!values.consents?.[box.key];
  return {
    name: blank(values.name),
    email: blank(values.email),
    phone: blank(values.phone),
    company: blank(values.company),
    session_id: values.session_id ?? (event.sessions.length === 1 ? event.sessions[0].id : null),
    answers,
    consents,
    website: blank(values.website),
  };
}

/** 422 field names as antd form paths: "answers.diet" -> ["answers", "diet"]. */
export function formPath(field: string): string[] {
  return field.split('.');
}

/** The session's time as the reader's locale shows it (the browser's time zone). */
export function sessionTime(session: Pick<PublicSession, 'starts_at' | 'ends_at'>, language: string): string {
  const locale = language === 'zh-CN' ? 'zh-CN' : 'en-GB';
  const start = new Date(session.starts_at);
  const date = start.toLocaleDateString(locale, { year: 'numeric', month: 'short', day: 'numeric', weekday: 'short' });
  const time = (d: Date) => d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  return session.ends_at ? `${date} ${time(start)}–${time(new Date(session.ends_at))}` : `${date} ${time(start)}`;
}

/** Whether submitting now lands on the waiting list (the chosen session or the event is full). */
export function goesToWaitlist(event: PublicEvent, sessionId: string | undefined): boolean {
  if (event.state === 'full') return true;
  const session = event.sessions.find((s) => s.id === sessionId);
  return !!session?.full;
}

/** The settings editor's values -> the PUT body (empty labels and options dropped). */
export type EditorField = {
  key: string;
  label_zh?: string;
  label_en?: string;
  type: 'text' | 'select' | 'checkbox';
  required?: boolean;
  options?: string[];
};
export type EditorConsent = {
  key: string;
  channel: 'email' | 'sms';
  text_zh?: string;
  text_en?: string;
  required?: boolean;
};
export type EditorValues = {
  open: boolean;
  capacity?: number | null;
  confirmation_zh?: string;
  confirmation_en?: string;
  fields?: EditorField[];
  consents?: EditorConsent[];
};

function localized(zh: string | undefined, en: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (zh?.trim()) out['zh-CN'] = zh.trim();
  if (en?.trim()) out.en = en.trim();
  return out;
}

export function settingsBody(values: EditorValues): RegistrationSettingsIn {
  return {
    open: values.open,
    capacity: values.capacity ?? null,
    confirmation: localized(values.confirmation_zh, values.confirmation_en),
    fields: (values.fields ?? []).map((f) => ({
      key: f.key,
      label: localized(f.label_zh, f.label_en),
      type: f.type,
      required: !!f.required,
      options: f.type === 'select' ? (f.options ?? []).map((o) => o.trim()).filter(Boolean) : [],
    })),
    consents: (values.consents ?? []).map((c) => ({
      key: c.key,
      channel: c.channel,
      text: localized(c.text_zh, c.text_en),
      required: !!c.required,
    })),
  };
}

export function editorValues(settings: RegistrationSettings): EditorValues {
  return {
    open: settings.open,
    capacity: settings.capacity,
    confirmation_zh: settings.confirmation['zh-CN'] ?? '',
    confirmation_en: settings.confirmation.en ?? '',
    fields: settings.fields.map((f) => ({
      key: f.key,
      label_zh: f.label['zh-CN'] ?? '',
      label_en: f.label.en ?? '',
      type: f.type as EditorField['type'],
      required: f.required,
      options: f.options,
    })),
    consents: settings.consents.map((c) => ({
      key: c.key,
      channel: c.channel as EditorConsent['channel'],
      text_zh: c.text['zh-CN'] ?? '',
      text_en: c.text.en ?? '',
      required: c.required,
    })),
  };
}
