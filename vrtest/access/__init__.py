"""SSH access to virtual routers: one paramiko transport per hop host, shells per router."""

from vrtest.access.pool import AccessPool
from vrtest.access.settings import AccessSettings, HopLogin
from vrtest.access.shells import CommandResult, RouterShell

__all__ = ["AccessPool", "AccessSettings", "CommandResult", "HopLogin", "RouterShell"]
