"""Factories for families, members, needs, notes and tasks (other features' tests import them too)."""

from __future__ import annotations

from datetime import date, timedelta

import factory

from resettle.families.models import (
    CaseNote,
    Family,
    FamilyStatus,
    HealthNote,
    Member,
    Need,
    NeedStatus,
    Relationship,
    Scheme,
    Sex,
    Task,
    TaskStage,
    TaskStatus,
)
from resettle.taxonomy import Category
from tests.factories import BaseFactory, UserFactory


class FamilyFactory(BaseFactory):
    class Meta:
        model = Family

    name = factory.Sequence(lambda n: f"Family {n}")
    scheme = Scheme.VPRS
    status = FamilyStatus.REFERRED
    referral_date = date(2017, 1, 10)
    arrival_date = None
    caseworker = factory.SubFactory(UserFactory)
    address_line_1 = factory.Sequence(lambda n: f"{n} Example Road")
    town = "London"
    postcode = "SE13 6AA"
    brma = "inner_south_east_london"
    latitude = 51.4613
    longitude = -0.0106
    preferred_languages = factory.LazyFunction(lambda: ["Arabic"])


class MemberFactory(BaseFactory):
    class Meta:
        model = Member

    family = factory.SubFactory(FamilyFactory)
    full_name = factory.Sequence(lambda n: f"Person {n}")
    date_of_birth = date(1985, 3, 14)
    sex = Sex.FEMALE
    relationship_to_applicant = Relationship.APPLICANT
    languages = factory.LazyFunction(lambda: ["Arabic"])


class HealthNoteFactory(BaseFactory):
    class Meta:
        model = HealthNote

    family = factory.SubFactory(FamilyFactory)
    body = "Type 2 diabetes; needs a GP appointment within the first week."


class NeedFactory(BaseFactory):
    class Meta:
        model = Need

    family = factory.SubFactory(FamilyFactory)
    category = Category.ESOL
    priority = 3
    units = 1
    status = NeedStatus.OPEN
    needed_by = factory.LazyFunction(lambda: date.today() + timedelta(days=30))


class CaseNoteFactory(BaseFactory):
    class Meta:
        model = CaseNote

    family = factory.SubFactory(FamilyFactory)
    body = "Home visit: the family are settling in well."


class TaskFactory(BaseFactory):
    class Meta:
        model = Task

    family = factory.SubFactory(FamilyFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    stage = TaskStage.FIRST_WEEK
    due_on = factory.LazyFunction(date.today)
    assignee = factory.SelfAttribute("family.caseworker")
    status = TaskStatus.OPEN
