"""The lab's CloudStack-compatible API: list calls in CloudStack's JSON shapes, signed."""
