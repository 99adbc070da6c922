import type { components } from './schema';

export type Problem = components['schemas']['Problem'];

/** An API answer other than 2xx, with the RFC 9457 problem body when there is one. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Partial<Problem>;
  readonly retryAfter: number | null;

  constructor(status: number, problem: Partial<Problem> | undefined, retryAfter: number | null = null) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem ?? {};
    this.retryAfter = retryAfter ?? problem?.retry_after ?? null;
  }

  /** The type's last path segment: "account-deactivated", "duplicate", ... */
  get kind(): string {
    const type = this.problem.type ?? '';
    return type.slice(type.lastIndexOf('/') + 1);
  }

  /** 422 field errors as form paths: "custom_fields.revenue" -> ["custom_fields", "revenue"]. */
  fieldErrors(): { name: (string | number)[]; errors: string[] }[] {
    const byField = new Map<string, string[]>();
    for (const e of this.problem.errors ?? []) {
      const list = byField.get(e.field) ?? [];
      list.push(e.message);
      byField.set(e.field, list);
    }
    return [...byField].map(([field, errors]) => ({
      name: field.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)),
      errors,
    }));
  }
}

/** A network failure (server down, offline): no status at all. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('network error');
    this.name = 'NetworkError';
    this.cause = cause;
  }
}

export function toProblem(body: unknown): Partial<Problem> | undefined {
  if (body && typeof body === 'object') return body as Partial<Problem>;
  if (typeof body === 'string' && body) return { detail: body };
  return undefined;
}

export function retryAfterSeconds(response: Response): number | null {
  const raw = response.headers.get('Retry-After');
  if (!raw) return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
