from web.adapters.orm import metadata
from zorgpost_kit.migrations import run_env

run_env(metadata)
