"""Imports every model module so the metadata is complete (for Alembic and for tests), then configures the mappers,
so a relationship declared on one side only (`Match.spend_line`, whose backref is `SpendLine.match`) exists on both
classes before anything uses it."""

from sqlalchemy.orm import configure_mappers

from resettle.api.models import ApiToken, IdempotencyKey  # noqa: F401
from resettle.audit.models import AuditEvent  # noqa: F401
from resettle.auth.models import LoginThrottle, RecoveryCode, RoleApproval, User, UserSession  # noqa: F401
from resettle.dataprotection.models import SubjectAccessRequest  # noqa: F401
from resettle.families import models as families_models  # noqa: F401
from resettle.funding.models import AmountRule, CategoryEligibility, ExpenseCategory, FundingScheme  # noqa: F401
from resettle.funding.spend_models import ClaimBatch, FundingBudget, Receipt, SpendLine  # noqa: F401
from resettle.matching.models import Match, MatchRun, Proposal, RejectedPair, UnmetNeed  # noqa: F401
from resettle.need_to_know.models import BreakGlassRecord, Team, TeamMembership  # noqa: F401
from resettle.notifications.models import Notification, NotificationPreference, OutboundEmail  # noqa: F401
from resettle.offers.models import Offer, OfferEvent, OfferItem  # noqa: F401
from resettle.web.submissions import SubmissionKey  # noqa: F401
from resettle.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent  # noqa: F401

configure_mappers()
