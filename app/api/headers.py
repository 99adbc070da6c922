"""Security headers every response carries (built once; the middleware only appends them).

- `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer` everywhere: no response is
  ever sniffed into another type, and no URL of this service leaks to other sites.
- `Strict-Transport-Security` only on a request that came over TLS (scheme https; behind a proxy
  trusted with CRM_TRUST_FORWARDED_FOR its X-Forwarded-Proto sets the scheme) or when
  CRM_FORCE_HSTS says TLS is always in front: a plain-http development server must not pin itself.
- `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'` on whatever does not set its
  own (the API's JSON, problems, probes): such a response, opened as a document, runs nothing and
  cannot be framed. The web client's index.html brings its own policy (app/api/spa.py) and the
  interactive docs load Swagger UI / ReDoc from a CDN with an inline script, so they get none.
- `Cache-Control: no-store` on answers to an authenticated request (Authorization header) unless
  the route chose its own caching: a shared cache or the browser's disk never keeps tenant data.
"""

from __future__ import annotations

Header = tuple[bytes, bytes]

COMMON: tuple[Header, ...] = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"))
HSTS: Header = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
API_CSP: Header = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
NO_STORE: Header = (b"cache-control", b"no-store")


def common(tls: bool) -> tuple[Header, ...]:
    """The headers every response gets, by whether the request came over TLS."""
    return (*COMMON, HSTS) if tls else COMMON


def as_dict(headers: tuple[Header, ...]) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in headers}
