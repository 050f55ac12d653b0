"""Secrets come from the environment or from Prefect Secret blocks, never from files or code.

A setting such as `client_secret_env: LEARNSCAPE_TOTARA_CLIENT_SECRET` names an environment variable; when the
variable is unset, the Prefect Secret block of the same name in lower case with dashes
(`learnscape-totara-client-secret`) is tried. Values are never logged or put in messages.
"""

from __future__ import annotations

import os


class MissingSecretError(RuntimeError):
    """A secret the run needs is neither in the environment nor in a Prefect Secret block."""


def block_name(variable: str) -> str:
    return variable.lower().replace("_", "-")


def read_secret(variable: str) -> str:
    value = os.environ.get(variable)
    if value:
        return value
    try:
        from prefect.blocks.system import Secret

        return Secret.load(block_name(variable)).get()
    except Exception as error:
        raise MissingSecretError(
            f"secret {variable} is not set: export it in the environment or create the Prefect Secret block "
            f"'{block_name(variable)}'"
        ) from error
