"""Arrival checklists per scheme, as data (domain.md §3).

Each item becomes a task when a family's arrival date is confirmed, due `offset_days` after arrival
(negative: before it). Items apply to every scheme unless `schemes` names some, or `except_schemes`
leaves some out: Homes for Ukraine guests live with hosts (no property to secure or furnish), Community
Sponsorship groups find the home and the council inspects it, ARP families start in transitional
accommodation. Deadlines marked [U] in domain.md are defaults for the resettlement lead to confirm.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from resettle.families.models import Scheme, TaskStage

ALL_SCHEMES = frozenset(Scheme)


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    stage: TaskStage
    offset_days: int
    guidance: str = ""
    schemes: frozenset[Scheme] = ALL_SCHEMES
    except_schemes: frozenset[Scheme] = field(default_factory=frozenset)

    def applies_to(self, scheme: Scheme) -> bool:
        return scheme in self.schemes and scheme not in self.except_schemes


_B, _A, _W, _M, _T = (
    TaskStage.BEFORE_ARRIVAL,
    TaskStage.ARRIVAL_DAY,
    TaskStage.FIRST_WEEK,
    TaskStage.FIRST_MONTH,
    TaskStage.FIRST_TWO_MONTHS,
)
_HOSTED = frozenset({Scheme.HFU})
_SPONSORED = frozenset({Scheme.CS})

CHECKLIST: list[ChecklistItem] = [
    # Before arrival
    ChecklistItem(
        "secure_property",
        "Secure a property at or below the LHA rate",
        _B,
        -28,
        "Check the bedroom standard and the safety certificates: gas (CP12), electrical (EICR), EPC rated "
        "E or better, smoke and CO alarms, no Category 1 hazards. Track void days against the cap.",
        except_schemes=_HOSTED | _SPONSORED | {Scheme.ARP},
    ),
    ChecklistItem(
        "arrange_transitional_accommodation",
        "Confirm the transitional accommodation",
        _B,
        -14,
        "ARP families stay up to 9 months in transitional accommodation before moving on.",
        schemes=frozenset({Scheme.ARP}),
    ),
    ChecklistItem(
        "inspect_sponsor_property",
        "Inspect the property the sponsorship group has secured",
        _B,
        -28,
        "The group must invite the council to inspect; check the bedroom standard and safety certificates.",
        schemes=_SPONSORED,
    ),
    ChecklistItem(
        "check_host_home",
        "Check the host's home and the host's DBS check",
        _B,
        -14,
        "Hosts must offer at least 6 months; record the check outcome in the government system too.",
        schemes=_HOSTED,
    ),
    ChecklistItem(
        "furnish_property",
        "Furnish the property",
        _B,
        -7,
        "The home must be fully furnished before arrival. Apply the luxury-goods rule: a fridge, cooker "
        "and toaster may be bought; televisions and other entertainment appliances may not.",
        except_schemes=_HOSTED,
    ),
    ChecklistItem("utilities_and_council_tax", "Set up utilities and council tax", _B, -7, except_schemes=_HOSTED),
    ChecklistItem("book_interpreter", "Book an interpreter for arrival day", _B, -7),
    ChecklistItem(
        "share_medical_information",
        "Share relevant medical information with the GP practice",
        _B,
        -7,
        "Share only what the practice needs, through the ICB's secure route.",
    ),
    ChecklistItem("welcome_pack", "Prepare a culturally appropriate welcome pack of groceries", _B, -1),
    # Arrival day
    ChecklistItem(
        "meet_at_airport",
        "Meet the family at the airport with an interpreter",
        _A,
        0,
        "Keep the group small. No signs or photographs that identify them as refugees without consent.",
        except_schemes=_HOSTED,
    ),
    ChecklistItem("home_briefing", "Take the family home and show them how everything works", _A, 0),
    ChecklistItem(
        "initial_allowance",
        "Hand over the initial cash allowance",
        _A,
        0,
        "Covers the time before benefits are paid. Homes for Ukraine: £200 per guest.",
    ),
    # First week
    ChecklistItem(
        "universal_credit_claim",
        "Make the Universal Credit claim",
        _W,
        3,
        "UC is paid from the date of claim, first payment at least 5 weeks later. Ask about an advance. "
        "The National Insurance number is started during the claim.",
    ),
    ChecklistItem("evisa_check", "Check every adult has a UKVI account and eVisa", _W, 7),
    ChecklistItem("bank_account", "Open bank accounts", _W, 7),
    ChecklistItem(
        "gp_registration", "Register everyone with a GP and a dentist", _W, 7, "Explain the NHS, 111 and 999."
    ),
    ChecklistItem(
        "council_tax_reduction",
        "Claim council tax reduction and move utilities into the family's name",
        _W,
        7,
        except_schemes=_HOSTED,
    ),
    ChecklistItem("orientation", "Orientation: local area, shops, transport, staying safe, complaints", _W, 7),
    ChecklistItem("host_welfare_visit", "Welfare visit to the guests and their host", _W, 7, schemes=_HOSTED),
    # First month
    ChecklistItem(
        "esol_start",
        "Start ESOL for every adult and assess their level",
        _M,
        28,
        "ESOL must start within a month of arrival. Claim the ESOL funding per adult.",
    ),
    ChecklistItem(
        "school_places",
        "Apply for school and nursery places",
        _M,
        14,
        "In-year applications are decided within 15 school days; Fair Access places within 20.",
    ),
    ChecklistItem("jobcentre_appointment", "Jobcentre Plus appointment and Claimant Commitment", _M, 28),
    ChecklistItem("health_assessment", "Initial health assessment and referrals", _M, 28),
    # By two months
    ChecklistItem(
        "sixty_day_review",
        "Two-month review (Citizens UK first 60 days list)",
        _T,
        60,
        "Benefits paid, tenancy signed, children at school, adults at ESOL, everyone registered with a GP "
        "and dentist, family budget agreed, safeguarding and complaints procedures understood.",
    ),
    ChecklistItem(
        "move_on_plan", "Agree a move-on plan from transitional accommodation", _T, 60, schemes=frozenset({Scheme.ARP})
    ),
]


def checklist_for(scheme: Scheme) -> list[ChecklistItem]:
    return [item for item in CHECKLIST if item.applies_to(scheme)]
