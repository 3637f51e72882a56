"""Typed CSV/XLSX import and export with row- and column-precise validation.

A :class:`Table` declares its columns (name, parser, required, description). :func:`read_rows`
turns an uploaded CSV or XLSX file into dictionaries keyed by column name and reports every
problem as a :class:`~rarecare.errors.FieldError` naming the spreadsheet row (the header is row 1)
and the column. Nothing is half-read: callers get all rows or all errors.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from rarecare.errors import FieldError, ValidationFailed
from rarecare.i18n import N_, _

MAX_ROWS = 100_000
MAX_COLUMNS = 100  # more than any table has


class CellError(ValueError):
    """Raised by a column parser: what was expected, a catalogue message (``N_``) whose
    ``%(value)s`` is the cell as written and whose other placeholders are ``params``."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Column:
    name: str
    parse: Callable[[str], Any]
    required: bool = False
    description: str = ""
    example: str = ""


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


# ----------------------------------------------------------------------------- cell parsers
# A cell starting with one of these is a formula to a spreadsheet (CSV/XLSX injection): written
# with a leading apostrophe, which spreadsheets hide and :func:`text` removes when read back.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def text(value: str) -> str:
    value = value.strip()
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]  # written neutralised by this module
    return value


def boolean(value: str) -> bool:
    v = value.strip().lower()
    if v in ("1", "true", "yes", "y", "x", "có", "co"):
        return True
    if v in ("", "0", "false", "no", "n", "không", "khong"):
        return False
    raise CellError(N_("expected yes/no (true/false, 1/0), got %(value)s"))


def iso_date(value: str) -> date | None:
    v = value.strip()
    if not v:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(v, fmt).date()
        except ValueError:
            continue
    raise CellError(N_("expected a date as YYYY-MM-DD (or DD/MM/YYYY), got %(value)s"))


def number(value: str) -> float | None:
    v = value.strip().replace(",", "")
    if not v:
        return None
    try:
        return float(v)
    except ValueError:
        raise CellError(N_("expected a number, got %(value)s")) from None


def whole_number(value: str) -> int | None:
    v = number(value)
    if v is None:
        return None
    if v != int(v):
        raise CellError(N_("expected a whole number, got %(value)s"))
    return int(v)


def code_list(value: str) -> list[str]:
    return [
        part.strip()
        for part in value.replace(";", ",").replace("|", ",").split(",")
        if part.strip()
    ]


# ----------------------------------------------------------------------------------- reading
def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def raw_rows(content: bytes, filename: str, max_rows: int = MAX_ROWS) -> list[list[str]]:
    """Every row of a CSV (UTF-8, comma or semicolon) or XLSX file as cell texts; an XLSX sheet
    is read to at most ``max_rows`` data rows whatever it declares."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:
            raise ValidationFailed(
                _("The file is not a readable XLSX workbook."), [FieldError("file", str(exc))]
            ) from exc
        sheet = workbook.worksheets[0]
        # Bounded whatever the sheet declares (a "dimension bomb" declares A1:XFD1048576 in a
        # few kilobytes): at most max_rows data rows and MAX_COLUMNS columns are looked at, and
        # an empty row costs an empty list.
        rows = [
            [cell_text(c) for c in row] if any(c is not None for c in row) else []
            for row in sheet.iter_rows(values_only=True, max_row=max_rows + 2, max_col=MAX_COLUMNS)
        ]
        workbook.close()
        return rows
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            _("The CSV file must be UTF-8 encoded."),
            [FieldError("file", N_("byte %(n)s is not UTF-8"), params={"n": exc.start})],
        ) from exc
    sample = decoded[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    return [list(r) for r in csv.reader(io.StringIO(decoded), delimiter=delimiter)]


def read_rows(
    table: Table, content: bytes, filename: str
) -> tuple[list[tuple[int, dict[str, Any]]], list[FieldError]]:
    """Parse every row into ``(spreadsheet row number, values)`` pairs, collecting a
    :class:`FieldError` for every bad cell (a bad cell's column is absent from its row's values).
    A file whose header does not match the table raises :class:`ValidationFailed` at once."""
    rows = raw_rows(content, filename)
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise ValidationFailed(_("The file is empty."), [FieldError("file", N_("no header row"))])
    header = [h.strip().lower() for h in rows[0]]
    errors: list[FieldError] = []
    known = set(table.names)
    for name in header:
        if name and name not in known:
            errors.append(
                FieldError(
                    name,
                    N_("unknown column; expected one of: %(names)s"),
                    row=1,
                    params={"names": ", ".join(table.names)},
                )
            )
    for column in table.columns:
        if column.required and column.name not in header:
            errors.append(FieldError(column.name, N_("required column is missing"), row=1))
    if errors:
        raise ValidationFailed(_("The header row does not match the template."), errors)
    if len(rows) - 1 > MAX_ROWS:
        raise ValidationFailed(
            _("The file is too large."),
            [FieldError("file", N_("more than %(n)s rows"), params={"n": MAX_ROWS})],
        )
    positions = {name: i for i, name in enumerate(header) if name}
    parsed: list[tuple[int, dict[str, Any]]] = []
    for offset, raw in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in raw):
            continue
        values: dict[str, Any] = {}
        for column in table.columns:
            index = positions.get(column.name)
            cell = raw[index] if index is not None and index < len(raw) else ""
            if column.required and not cell.strip():
                errors.append(FieldError(column.name, N_("required value is missing"), row=offset))
                continue
            try:
                values[column.name] = column.parse(cell)
            except CellError as exc:
                errors.append(
                    FieldError(
                        column.name,
                        exc.message,
                        row=offset,
                        params={**exc.params, "value": cell.strip()},
                    )
                )
        parsed.append((offset, values))
    return parsed, errors


# ----------------------------------------------------------------------------------- writing
def cell_out(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return neutralised(", ".join(str(v) for v in value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return neutralised(str(value))


def iter_csv(table: Table, rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """The CSV file (UTF-8 with a BOM, so spreadsheets read Vietnamese right) piece by piece:
    a million rows never sit in memory at once."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    buffer.write("\ufeff")
    writer.writerow(table.names)
    for count, row in enumerate(rows, start=1):
        writer.writerow([cell_out(row.get(name)) for name in table.names])
        if count % 1000 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_csv(table: Table, rows: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(iter_csv(table, rows))


def write_xlsx(
    table: Table,
    rows: Iterable[dict[str, Any]],
    title: str = "list",
    target: IO[bytes] | None = None,
) -> bytes:
    """An XLSX workbook written row by row (openpyxl's write-only mode: memory stays bounded),
    with a second sheet describing the columns. Into ``target`` when given (returns b"")."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    header = []
    for name in table.names:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([cell_out(row.get(name)) for name in table.names])
    notes = workbook.create_sheet("columns")
    notes.append(["column", "required", "description", "example"])
    for column in table.columns:
        notes.append(
            [column.name, "yes" if column.required else "no", column.description, column.example]
        )
    if target is not None:
        workbook.save(target)
        return b""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template(table: Table, fmt: str) -> bytes:
    example = [{c.name: c.example for c in table.columns}]
    return write_xlsx(table, example, "template") if fmt == "xlsx" else write_csv(table, example)


def export(table: Table, rows: Iterable[dict[str, Any]], fmt: str, title: str = "list") -> bytes:
    return write_xlsx(table, rows, title) if fmt == "xlsx" else write_csv(table, rows)


def export_to(
    target: IO[bytes], table: Table, rows: Iterable[dict[str, Any]], fmt: str, title: str = "list"
) -> None:
    """Write the export into ``target`` as it is produced (a spooled temporary file, say)."""
    if fmt == "xlsx":
        write_xlsx(table, rows, title, target)
    else:
        for piece in iter_csv(table, rows):
            target.write(piece)
