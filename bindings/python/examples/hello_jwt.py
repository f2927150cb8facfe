"""The classic Node.js example, ported: sign {"userId": 123} for one hour, verify it,
print userId, and show the error for a tampered token.

    python3 bindings/python/examples/hello_jwt.py
"""

import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

# Run from a source checkout without installing: use the package beside this folder.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import jwtkit as jwt  # noqa: E402  (PyJWT code works unchanged with this import)

SECRET = os.environ.get("JWT_SECRET", "change-me: a secret of at least 32 bytes!")

# jwt.sign({ userId: 123 }, secret, { expiresIn: '1h' })
token = jwt.encode(
    {"userId": 123, "exp": datetime.now(tz=timezone.utc) + timedelta(hours=1)},
    SECRET,
    algorithm="HS256",
)
print("token:", token)

# jwt.verify(token, secret)
claims = jwt.decode(token, SECRET, algorithms=["HS256"])
print("userId:", claims["userId"])

# A tampered token: the payload now claims userId 1 (admin?), the signature is old.
header, payload, signature = token.split(".")
forged_payload = jwt.encode({"userId": 1, "exp": claims["exp"]}, "attacker's own secret, 32 bytes long").split(".")[1]
tampered = ".".join([header, forged_payload, signature])
try:
    jwt.decode(tampered, SECRET, algorithms=["HS256"])
except jwt.InvalidSignatureError as e:
    print(f"tampered token rejected: {type(e).__name__}: {e}")
else:
    sys.exit("tampered token was accepted!")
