"""SSH access to virtual routers: one paramiko transport per hop host, shells per router."""

import logging

from vrtest.access.pool import AccessPool
from vrtest.access.settings import AccessSettings, HopLogin
from vrtest.access.shells import CommandResult, RouterShell

__all__ = ["AccessPool", "AccessSettings", "CommandResult", "HopLogin", "RouterShell"]

# paramiko logs refused channels at ERROR; vrtest reports them itself (one line per router),
# so keep paramiko's records away from Python's last-resort stderr handler.
logging.getLogger("paramiko").addHandler(logging.NullHandler())
