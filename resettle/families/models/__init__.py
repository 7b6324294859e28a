"""Family case records. Other features import these names from here (`from resettle.families.models import ...`)."""

from resettle.families.models.family import (
    CaseNote,
    ConsentPurpose,
    ConsentRecord,
    EnglishLevel,
    Family,
    FamilyStatus,
    FamilyStatusChange,
    HealthNote,
    Member,
    MemberActivity,
    Relationship,
    Scheme,
    Sex,
)
from resettle.families.models.lha import LhaRate
from resettle.families.models.need import Need, NeedStatus
from resettle.families.models.task import OverdueReminder, Task, TaskStage, TaskStatus

__all__ = [
    "CaseNote",
    "ConsentPurpose",
    "ConsentRecord",
    "EnglishLevel",
    "Family",
    "FamilyStatus",
    "FamilyStatusChange",
    "HealthNote",
    "LhaRate",
    "Member",
    "MemberActivity",
    "Need",
    "NeedStatus",
    "OverdueReminder",
    "Relationship",
    "Scheme",
    "Sex",
    "Task",
    "TaskStage",
    "TaskStatus",
]
