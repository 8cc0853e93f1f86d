"""A result as a file to keep (seed 5: "Dit bericht kunt u voor eigen gebruik downloaden"):
a CSV for a spreadsheet, a PDF to print."""

from __future__ import annotations

import csv
import io

from fpdf import FPDF

from portal.domain.dossier import ClientRecord
from portal.domain.results import LabResult
from zorgpost_kit.calendar import ZONE

_HEADER = ["onderzoek", "code", "waarde", "eenheid", "referentie", "afwijkend", "afgenomen"]
_FLAG_NL = {"low": "laag", "high": "hoog", "normal": "", "": ""}


def result_csv(result: LabResult) -> bytes:
    """UTF-8 with a byte-order mark (spreadsheets then read the accents right), ``;`` as the
    separator (what Dutch spreadsheet programs expect)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(_HEADER)
    taken = result.taken_at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M")
    for observation in result.observations:
        writer.writerow(
            [
                _safe_cell(observation.name),
                _safe_cell(observation.code),
                _safe_cell(observation.value),
                _safe_cell(observation.unit),
                _safe_cell(observation.reference_range),
                _FLAG_NL[observation.flag.value],
                taken,
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(value) else value


def _is_number(value: str) -> bool:
    try:
        float(value.replace(",", "."))
    except ValueError:
        return False
    return True


def _latin1(text: str) -> str:
    replaced = text.replace("–", "-").replace("≥", ">=").replace("≤", "<=").replace("’", "'")
    return replaced.encode("latin-1", "replace").decode("latin-1")


def result_pdf(result: LabResult, record: ClientRecord | None, organisation_name: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creator("Zorgpost")
    pdf.set_title(_latin1(result.title))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1(result.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    taken = result.taken_at.astimezone(ZONE).strftime("%d-%m-%Y %H:%M")
    lines = [
        f"Praktijk: {organisation_name}",
        f"Patiënt: {record.display_name}" if record is not None else "",
        f"Geboortedatum: {record.birth_date.strftime('%d-%m-%Y')}" if record and record.birth_date else "",
        f"Afgenomen: {taken}",
        f"Gepubliceerd door: {result.published_by_name}" if result.published_by_name else "",
    ]
    for line in lines:
        if line:
            pdf.cell(0, 6, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    widths = (70, 30, 25, 40, 20)
    pdf.set_font("Helvetica", "B", 10)
    for width, title in zip(widths, ("Onderzoek", "Waarde", "Eenheid", "Referentie", "Afwijkend"), strict=True):
        pdf.cell(width, 7, title, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 10)
    for observation in result.observations:
        cells = (
            observation.name,
            observation.value,
            observation.unit,
            observation.reference_range,
            _FLAG_NL[observation.flag.value],
        )
        for width, text in zip(widths, cells, strict=True):
            pdf.cell(width, 7, _latin1(text)[:45], border=1)
        pdf.ln()
    return bytes(pdf.output())
