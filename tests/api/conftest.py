"""Fixtures of the API tests beyond tests/conftest.py."""

from tests.api.mail_support import inbox

__all__ = ["inbox"]
