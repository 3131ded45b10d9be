"""One root for every failure ckg-rdf expects, so the CLI has one exit-code rule.

Every error a user can cause or fix (a missing store, a bad corpus folder, a
store locked by another process, a remote endpoint that refuses us, a bad
configuration file) derives from :class:`CkgError`. Its message is one
sentence that names the problem and, where there is one, the fix. The CLI
prints it on one line and exits with :data:`EXIT_FAILURE`; a bad option or
argument exits with :data:`EXIT_USAGE` (click's convention); anything else is
a bug and keeps its traceback.
"""

from __future__ import annotations

#: the command ran and did what was asked
EXIT_OK = 0
#: the command could not do what was asked (no store, bad input, remote refused, ...)
EXIT_FAILURE = 1
#: the command line itself is wrong (unknown option, bad value): nothing was attempted
EXIT_USAGE = 2
#: interrupted with Ctrl+C; a build resumes where it stopped
EXIT_INTERRUPTED = 130


class CkgError(Exception):
    """A failure the user can understand and act on; ``str(error)`` says what and how."""


class ConfigError(CkgError):
    """A configuration file or option value that cannot be used."""


class RegistryError(CkgError):
    """A backend, step or stage name that nothing is registered under."""
