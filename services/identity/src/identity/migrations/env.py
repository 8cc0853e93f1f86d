from identity.adapters.tables import metadata
from zorgpost_kit.migrations import run_env

run_env(metadata)
