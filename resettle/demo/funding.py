"""Demo funding: the schemes and rules of domain.md §1, and spend on the demo families at every stage
(draft, waiting for review, approved, rejected, claimed), with small generated PDF receipts. Spend is
entered through the same services as the pages, so the demo obeys every rule it shows."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from resettle.auth.models import User
from resettle.clock import local_today
from resettle.extensions import db
from resettle.families.models import Family
from resettle.funding.claims import create_claim_batch
from resettle.funding.models import ExpenseCategory, FundingStream
from resettle.funding.queries import get_scheme_by_code
from resettle.funding.receipts import add_receipt
from resettle.funding.seed import load_funding_configuration
from resettle.funding.spend_services import (
    SpendFields,
    approve_spend_line,
    create_spend_line,
    reject_spend_line,
    submit_spend_line,
)


def demo_receipt(payee: str, amount_text: str) -> bytes:
    """A one-page PDF naming the payee and amount: enough to open, and it passes the type check."""
    text = f"Receipt - {payee} - {amount_text}".replace("(", "").replace(")", "")
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


# family index (in order of arrival), stream suffix, category, description, pounds, payee, days ago, outcome
DEMO_SPEND: list[tuple[int, str, str, str, int, str, int, str]] = [
    (0, "core", "fridge", "Fridge-freezer, 55cm, A-rated", 329, "Lewisham Appliance Centre", 290, "claimed"),
    (0, "core", "cooker", "Electric cooker, 60cm", 379, "Lewisham Appliance Centre", 290, "claimed"),
    (0, "core", "washing_machine", "Washing machine, 8kg", 299, "Catford Electricals", 288, "claimed"),
    (
        0,
        "education",
        "school_uniform",
        "Uniforms for three children",
        186,
        "Lewisham School Outfitters",
        250,
        "claimed",
    ),
    (
        1,
        "core",
        "bed",
        "Three single beds with mattresses",
        540,
        "British Heart Foundation furniture store",
        230,
        "approved",
    ),
    (1, "core", "kitchen_pack", "Pans, plates and cutlery for six", 95, "Lewisham Market traders", 228, "approved"),
    (1, "core", "tablet", "Tablet for homework (school asked)", 219, "Currys Lewisham", 40, "approved_note"),
    (0, "core", "sofa", "Three-seat sofa", 450, "DFS Bromley", 12, "submitted"),
    (1, "core", "wardrobe", "Two double wardrobes", 310, "IKEA Greenwich", 9, "submitted"),
    (1, "core", "computer", "Laptop for college course", 499, "Currys Lewisham", 6, "submitted"),
    (2, "core", "curtains", "Blackout curtains for four rooms", 160, "Dunelm Catford", 5, "submitted"),
    (2, "core", "table", "Dining table and six chairs", 620, "Oak Furniture Land", 20, "rejected"),
    (2, "core", "bedding", "Bedding for five", 140, "Primark Lewisham", 2, "draft"),
]


def _stream(family: Family, suffix: str) -> FundingStream | None:
    code = f"{family.scheme.value.lower()}-{suffix}"
    return db.session.execute(select(FundingStream).where(FundingStream.code == code)).scalar_one_or_none()


def load_demo(users_by_email: dict[str, User]) -> None:
    load_funding_configuration()
    families = list(
        db.session.execute(
            select(Family)
            .where(Family.arrival_date.is_not(None))
            .where(Family.arrival_date <= local_today())
            .order_by(Family.arrival_date)
        ).scalars()
    )
    if not families:
        return  # no demo families yet: the configuration alone is loaded
    caseworkers = [
        users_by_email[e]
        for e in (
            "amira.caseworker@council.example",
            "tom.caseworker@council.example",
            "grace.caseworker@council.example",
        )
    ]
    reviewer = users_by_email["david.reviewer@council.example"]
    categories = {c.code: c for c in db.session.execute(select(ExpenseCategory)).scalars()}
    for index, suffix, code, description, pounds, payee, days_ago, outcome in DEMO_SPEND:
        family = families[index % len(families)]
        stream = _stream(family, suffix)
        if stream is None:
            continue
        author = caseworkers[index % len(caseworkers)]
        line = create_spend_line(
            SpendFields(
                family=family,
                stream=stream,
                expense_category=categories[code],
                item_description=description,
                amount_pence=pounds * 100,
                payee=payee,
                spend_date=local_today() - timedelta(days=days_ago),
            ),
            author,
        )
        if outcome == "draft":
            continue
        add_receipt(line, io.BytesIO(demo_receipt(payee, f"GBP {pounds}.00")), f"receipt-{code}.pdf", author)
        submit_spend_line(line, author)
        if outcome in ("approved", "claimed"):
            approve_spend_line(line, reviewer)
        elif outcome == "approved_note":
            approve_spend_line(line, reviewer, "The school confirmed the child needs a device for homework.")
        elif outcome == "rejected":
            reject_spend_line(
                line,
                reviewer,
                "Quote is well above the usual price; get a second quote or ask for a donated table through an offer.",
            )
    scheme = get_scheme_by_code(families[0].scheme.value)
    if scheme is not None:
        create_claim_batch(scheme, local_today() - timedelta(days=240), reviewer)
