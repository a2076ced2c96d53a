"""Flask extensions, created unbound so that models and blueprints can import them."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from notify.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# Only the tip-off endpoints carry limits; storage is RATELIMIT_STORAGE_URI (memory:// or redis://).
limiter = Limiter(key_func=get_remote_address)
