"""Unbound extension singletons; `create_app` binds them to an application."""

from typing import TYPE_CHECKING

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from resettle.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
# No default limits: each public or sensitive route declares its own.
limiter = Limiter(key_func=get_remote_address, default_limits=[])

# Model classes subclass `Model`. At run time it is `db.Model` (our `Base` with Flask-SQLAlchemy's mixins); a type
# checker cannot follow an attribute of an instance as a base class, so to it `Model` is `Base`, which has every
# attribute the models use (no `Model.query`: queries go through `db.session`).
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
