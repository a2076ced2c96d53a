from tests.notify.tipoffs.fixtures import (  # noqa: F401  (fixtures, by name)
    sample_tipoff,
    sample_tipoff_env,
    sample_unit_users,
)
