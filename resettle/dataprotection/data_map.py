"""The record of processing (UK GDPR Art. 30), built from each column's classification.

Every model column carries `info={"pii": ..., "purpose": ...}`: "none" for data about no one, "personal" for
data about an identifiable person, "special" for special category data (Art. 9: health, religion and the
like) and criminal offence data (Art. 10). Personal and special columns name the purpose they serve. A column
without a classification is an error, so the record cannot silently fall behind the schema.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import MetaData

PII_LEVELS = ("none", "personal", "special")

# Lawful basis per purpose: Art. 6 for all personal data, and the Art. 9 condition for special category data.
PURPOSES: dict[str, dict[str, str]] = {
    "casework": {
        "description": "Holding resettled families' cases: arrival, housing, tasks, needs and support.",
        "article_6": "6(1)(e) public task",
        "article_9": "9(2)(g) substantial public interest, DPA 2018 Sch. 1 paras 6, 16 and 18",
        "subjects": "Members of resettled families",
    },
    "community offers": {
        "description": "Receiving, checking and following up offers of help from residents and organisations.",
        "article_6": "6(1)(e) public task; consent given on the offer form",
        "article_9": "Art. 10 and DPA 2018 Sch. 1 para 18 (DBS check outcomes, safeguarding)",
        "subjects": "People who offer help",
    },
    "matching": {
        "description": "Pairing community offers with families' needs within the funding rules.",
        "article_6": "6(1)(e) public task",
        "article_9": "9(2)(g) substantial public interest, DPA 2018 Sch. 1 para 16",
        "subjects": "Members of resettled families; people who offer help",
    },
    "funding claims": {
        "description": "Recording spend and claiming Home Office funding, with evidence kept for audit.",
        "article_6": "6(1)(e) public task; 6(1)(c) legal obligation (grant conditions)",
        "article_9": "",
        "subjects": "Members of resettled families; payees",
    },
    "email delivery": {
        "description": "Sending the service's emails through an outbox that survives a mail server outage.",
        "article_6": "6(1)(e) public task",
        "article_9": "",
        "subjects": "People who offer help; staff",
    },
    "staff accounts": {
        "description": "Signing staff in and keeping their accounts secure.",
        "article_6": "6(1)(b) contract (employment); 6(1)(e) public task",
        "article_9": "",
        "subjects": "Council staff",
    },
    "accountability": {
        "description": "Knowing who viewed or changed which record and when (Arts. 5(2) and 32).",
        "article_6": "6(1)(c) legal obligation; 6(1)(e) public task",
        "article_9": "",
        "subjects": "Council staff; anyone named in a record",
    },
    "data subject rights": {
        "description": "Handling subject access and other data protection requests.",
        "article_6": "6(1)(c) legal obligation (UK GDPR Arts. 12-22)",
        "article_9": "",
        "subjects": "Anyone who makes a request",
    },
}


@dataclass(frozen=True)
class ColumnRecord:
    table: str
    column: str
    pii: str
    purpose: str


class UnclassifiedColumn(ValueError):
    pass


def column_records(metadata: MetaData) -> list[ColumnRecord]:
    """Every column of every table with its classification; raises on a missing or unknown classification."""
    records: list[ColumnRecord] = []
    problems: list[str] = []
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        for column in table.columns:
            pii = column.info.get("pii")
            purpose = column.info.get("purpose", "")
            where = f"{table.name}.{column.name}"
            if pii not in PII_LEVELS:
                problems.append(f"{where}: info['pii'] must be one of {', '.join(PII_LEVELS)}")
            elif pii != "none" and purpose not in PURPOSES:
                problems.append(f"{where}: personal data needs info['purpose'], one of {', '.join(PURPOSES)}")
            else:
                records.append(ColumnRecord(table.name, column.name, pii, purpose))
    if problems:
        raise UnclassifiedColumn("; ".join(problems))
    return records


def render_data_map(metadata: MetaData, retention: dict[str, str]) -> str:
    """The record of processing as Markdown: purposes with lawful basis, then each table's personal fields."""
    records = column_records(metadata)
    by_purpose: dict[str, dict[str, list[ColumnRecord]]] = defaultdict(lambda: defaultdict(list))
    for record in records:
        if record.pii != "none":
            by_purpose[record.purpose][record.table].append(record)
    lines = [
        "# Record of processing",
        "",
        "Printed by `flask --app wsgi data-map` from the classification of every database column.",
        "",
        "## Retention",
        "",
        "| Record | Kept for |",
        "|---|---|",
        *(f"| {name} | {period} |" for name, period in retention.items()),
        "",
    ]
    for purpose, details in PURPOSES.items():
        tables = by_purpose.get(purpose)
        if not tables:
            continue
        lines += [
            f"## {purpose.capitalize()}",
            "",
            details["description"],
            "",
            f"- Data subjects: {details['subjects']}",
            f"- Lawful basis: {details['article_6']}",
        ]
        has_special = any(r.pii == "special" for rows in tables.values() for r in rows)
        if has_special:
            lines.append(f"- Special category or criminal offence data: {details['article_9'] or 'none held'}")
        lines += ["", "| Table | Personal data | Special category data |", "|---|---|---|"]
        for table, rows in sorted(tables.items()):
            personal = ", ".join(r.column for r in rows if r.pii == "personal") or "-"
            special = ", ".join(r.column for r in rows if r.pii == "special") or "-"
            lines.append(f"| {table} | {personal} | {special} |")
        lines.append("")
    no_personal = sorted({r.table for r in records} - {r.table for r in records if r.pii != "none"})
    lines += ["## Tables with no personal data", "", ", ".join(no_personal) or "-", ""]
    return "\n".join(lines)
