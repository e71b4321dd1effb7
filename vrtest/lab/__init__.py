"""The embedded ``local`` lab: namespace VRs with real sshd, keepalived and a CloudStack API."""
