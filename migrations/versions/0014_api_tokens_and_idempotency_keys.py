"""Personal API tokens and the Idempotency-Key records of API creates.

- `api_tokens`: a person's tokens for /api/v1, holding only a sha256 of each secret, its scope (read, or read
  and write), the role it was made under, when it expires, was last used or was revoked.
- `api_idempotency_keys`: per user, an Idempotency-Key sent with a create, a hash of that request and the
  reference of what it made, so a resent create answers with the same record.

Revision ID: 0014
Revises: 0012
Create Date: 2026-11-30 07:13:45.009395

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import resettle.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_idempotency_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('request_hash', sa.String(length=64), nullable=False),
        sa.Column('result_reference', sa.String(length=100), nullable=False),
        sa.Column('created_at', resettle.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_api_idempotency_keys_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_idempotency_keys')),
        sa.UniqueConstraint('user_id', 'key', name='uq_api_idempotency_keys_user_id_key'),
    )
    with op.batch_alter_table('api_idempotency_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_idempotency_keys_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_idempotency_keys_user_id'), ['user_id'], unique=False)

    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('hint', sa.String(length=12), nullable=False),
        sa.Column('scope', sa.Enum('read', 'read_write', name='api_token_scope'), nullable=False),
        # The user_role type already exists on PostgreSQL (the users table has it).
        sa.Column('role', sa.Enum('caseworker', 'reviewer', 'admin', name='user_role').with_variant(
            postgresql.ENUM('caseworker', 'reviewer', 'admin', name='user_role', create_type=False), 'postgresql'
        ), nullable=False),
        sa.Column('created_at', resettle.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', resettle.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', resettle.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', resettle.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('public_id', name=op.f('uq_api_tokens_public_id')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash')),
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('api_tokens')
    op.drop_table('api_idempotency_keys')
    sa.Enum(name='api_token_scope').drop(op.get_bind(), checkfirst=True)
