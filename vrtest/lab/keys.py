"""Keys and credentials the lab generates: the ``id_rsa.cloud`` key, host keys, a shadow file."""

from __future__ import annotations

import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from vrtest.lab.netns import run


def _openssh_pair(key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> tuple[str, str]:
    """``key`` as (OpenSSH private key, OpenSSH public key without a comment)."""
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    return private, public


def rsa_keypair(comment: str = "vrtest-lab") -> tuple[str, str]:
    """A fresh RSA key pair as (OpenSSH private key, ``ssh-rsa ...`` public line)."""
    private, public = _openssh_pair(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return private, f"{public} {comment}\n"


def ed25519_host_key() -> tuple[str, str]:
    """A fresh Ed25519 host key as (OpenSSH private key, public line)."""
    private, public = _openssh_pair(ed25519.Ed25519PrivateKey.generate())
    return private, public + "\n"


def stable_host_key(directory: Path, name: str) -> tuple[str, str]:
    """``name``'s Ed25519 host key, made once and kept in ``directory`` across ``lab up``s.

    Stable keys keep clients' known_hosts valid (``host_key_policy: accept-new``).
    """
    private_path, public_path = directory / f"{name}.key", directory / f"{name}.key.pub"
    if private_path.is_file() and public_path.is_file():
        return private_path.read_text(), public_path.read_text()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    private, public = ed25519_host_key()
    private_path.touch(mode=0o600)
    private_path.write_text(private)
    public_path.write_text(public)
    return private, public


def vrrp_password() -> str:
    """An 8-character VRRP authentication password (keepalived uses at most 8)."""
    return secrets.token_hex(4)


def password_hash(password: str) -> str:
    """A SHA-512 crypt hash of ``password`` (``openssl passwd -6``; the password goes via stdin)."""
    return run(["openssl", "passwd", "-6", "-stdin"], input_text=password + "\n").stdout.strip()


def shadow_file(username: str, hashed: str, passwd: Path = Path("/etc/passwd")) -> str:
    """A shadow file for the host's view: ``username`` gets ``hashed``, other accounts locked.

    Built from the account names in ``/etc/passwd``; the machine's real hashes are never copied.
    """
    lines = []
    for line in passwd.read_text().splitlines():
        name = line.split(":", 1)[0]
        if name:
            lines.append(f"{name}:{hashed if name == username else '*'}:19000:0:99999:7:::")
    return "\n".join(lines) + "\n"
