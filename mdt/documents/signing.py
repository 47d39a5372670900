"""PDFs the app signs (the chain of custody of a document, a court bundle's index): a PAdES
signature any PDF reader can check, so a change made after signing shows.

The key and certificate are the installation's: ``MDT_SIGNING_KEY_FILE`` and
``MDT_SIGNING_CERT_FILE`` (PEM) when the organisation has one from its certificate authority;
otherwise a key and a self-signed certificate are made once under ``instance/signing/`` (a reader
then shows the signature as valid but its signer as not trusted: the fingerprint printed on the
page, compared with the one on the installation's "About" page, says whose it is)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

from flask import current_app

from mdt import clock


def _paths() -> tuple[Path, Path]:
    key = current_app.config.get("MDT_SIGNING_KEY_FILE")
    cert = current_app.config.get("MDT_SIGNING_CERT_FILE")
    if key and cert:
        return Path(key), Path(cert)
    folder = Path(current_app.instance_path) / "signing"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key_path, cert_path = folder / "key.pem", folder / "cert.pem"
    if not key_path.exists() or not cert_path.exists():
        _make_self_signed(key_path, cert_path)
    return key_path, cert_path


def _make_self_signed(key_path: Path, cert_path: Path) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "MDT Case Tracker"),
            x509.NameAttribute(NameOID.COMMON_NAME, current_app.config.get("MDT_BASE_URL", "mdt")),
        ]
    )
    now = clock.now()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )
        .sign(key, hashes.SHA256())
    )
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def fingerprint() -> str:
    """The SHA-256 fingerprint of the signing certificate (to compare with the one on a PDF)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    cert = x509.load_pem_x509_certificate(_paths()[1].read_bytes())
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def sign(pdf: bytes, reason: str) -> bytes:
    """``pdf`` with the installation's signature added (an incremental update)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    key_path, cert_path = _paths()
    signer = signers.SimpleSigner.load(str(key_path), str(cert_path))
    if signer is None:
        raise RuntimeError("the signing key or certificate cannot be read")
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = signers.sign_pdf(
        writer,
        signers.PdfSignatureMetadata(field_name="MDTSignature", reason=reason, name="MDT Case Tracker"),
        signer=signer,
    )
    return out.getvalue()


def digest(rows: list[list[str]]) -> str:
    """A SHA-256 over rows of text (what a signed page lists), to print and record with it."""
    hasher = hashlib.sha256()
    for row in rows:
        hasher.update(("\x1f".join(row) + "\x1e").encode())
    return hasher.hexdigest()
