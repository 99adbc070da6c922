"""A report's result as a file: CSV or XLSX, written row by row.

CSV cells that a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a carriage
return) get a leading apostrophe, as OWASP advises against CSV injection; the file starts with a
byte-order mark so that Excel opens Chinese text as UTF-8. XLSX goes through xlsxwriter in
constant-memory mode (each row is flushed to a temporary file as it is written) and every value
is written as a string or a number, never as a formula.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

import xlsxwriter

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 64 * 1024


_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def neutralised(value: Any) -> str:
    """The cell's text, with a leading apostrophe when a spreadsheet would run it (a plain number,
    negative included, stays a number)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def table(result: dict[str, Any]) -> tuple[list[str], Iterator[list[Any]]]:
    """The header and the rows of a result body: each group's label (or value), then each measure."""
    columns = result["columns"]
    header = [c["label"] for c in columns]

    def rows() -> Iterator[list[Any]]:
        for row in result["rows"]:
            cells: list[Any] = [g["label"] if g["label"] is not None else g["value"] for g in row["groups"]]
            cells += [row["values"][c["key"]] for c in columns if c["kind"] == "measure"]
            yield cells

    return header, rows()


def csv_chunks(result: dict[str, Any]) -> Iterator[bytes]:
    header, rows = table(result)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([neutralised(h) for h in header])
    for cells in rows:
        writer.writerow([neutralised(c) for c in cells])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(Decimal(value))
        except InvalidOperation:
            return None
    return None


def xlsx_chunks(result: dict[str, Any]) -> Iterator[bytes]:
    """The workbook, built in a temporary file (constant memory), then read out in chunks."""
    header, rows = table(result)
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_numbers": False, "strings_to_urls": False})  # fmt: skip
        sheet = book.add_worksheet("Report")
        bold = book.add_format({"bold": True})
        measures = {i for i, c in enumerate(result["columns"]) if c["kind"] == "measure"}
        for col, title in enumerate(header):
            sheet.write_string(0, col, str(title), bold)
        for r, cells in enumerate(rows, start=1):
            for col, cell in enumerate(cells):
                number = _number(cell) if col in measures else None
                if number is not None:
                    sheet.write_number(r, col, number)
                elif cell is not None:
                    sheet.write_string(r, col, str(cell))
        book.close()
        with open(path, "rb") as file:
            while chunk := file.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)
