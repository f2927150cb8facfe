"""An encrypted token (JWE) for a recipient's public JWK, and back.

The issuer signs the claims (HS256, its own secret) and encrypts the signed token to
the recipient's public key (ECDH-ES+A256KW with A256GCM): a nested JWT whose claims only
the recipient can read. The recipient decrypts with its private JWK and verifies the
signature and claims in one call, with explicit allow-lists. Then one character of the
token is changed, and decryption fails.

    python3 bindings/python/examples/jwe_demo.py
"""

import sys
import time
from pathlib import Path

# Run from a source checkout without installing: use the package beside this folder.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jwtkit  # noqa: E402
from jwtkit import jwe  # noqa: E402

# The recipient's P-256 key pair. The issuer only ever sees the public half (for
# example from the recipient's JWKS); the private half never leaves the recipient.
RECIPIENT_PUBLIC = {
    "kty": "EC",
    "crv": "P-256",
    "kid": "recipient-2024",
    "use": "enc",
    "x": "IwzrOdx5sHlgXYpxhPK6RRZ7zVYVcxeX42PcixEsflc",
    "y": "ItcP7C7EsWEPv-ErSgzYO3sQFNY3ntDyQEuPrZx6zw4",
}
RECIPIENT_PRIVATE = dict(RECIPIENT_PUBLIC, d="hTImwVITNEkchCJ4263SiUDvAza_6kwVZ14MwvI5bVk")

ISSUER_SECRET = "change-me: at least 32 bytes of real randomness!"

# Issuer: sign, then encrypt.
claims = {"sub": "alice", "ssn": "078-05-1120", "iss": "https://issuer.example", "exp": int(time.time()) + 3600}
token = jwe.encode_nested(claims, ISSUER_SECRET, "HS256", RECIPIENT_PUBLIC, "ECDH-ES+A256KW", "A256GCM")
print("encrypted token:", token)

# Recipient: decrypt, then verify, with explicit allow-lists for both layers.
verified = jwe.decode_nested(
    token,
    RECIPIENT_PRIVATE,
    ["ECDH-ES+A256KW"],
    ["A256GCM"],
    ISSUER_SECRET,
    ["HS256"],
    issuer="https://issuer.example",
)
print("decrypted and verified claims:", verified)
assert verified == claims

# A plain JWE carries any bytes.
blob = jwe.encrypt(b"\x00binary\xff", RECIPIENT_PUBLIC, "ECDH-ES", "A128GCM")
assert jwe.decrypt(blob, RECIPIENT_PRIVATE, ["ECDH-ES"], ["A128GCM"]) == b"\x00binary\xff"

# One changed character: the one decryption error.
i = len(token) - 5
tampered = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]
try:
    jwe.decode_nested(tampered, RECIPIENT_PRIVATE, ["ECDH-ES+A256KW"], ["A256GCM"], ISSUER_SECRET, ["HS256"])
except jwtkit.JWEDecryptionError as e:
    print("after changing one character:", type(e).__name__, "-", e)
else:
    sys.exit("a tampered token was accepted")
