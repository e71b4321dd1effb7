"""The fast lane: a PR's own systemvm scripts applied to sandboxed routers, checked in seconds."""
