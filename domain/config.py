"""Settings: loaded once from the environment into a frozen struct and passed down."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service reads from its environment."""

    var_dir: Path = Path("var")
    """Folder for the embedded defaults: the SQLite file, photos and generated secrets (`SF_VAR_DIR`)."""
    database_url: str = ""
    """`DATABASE_URL`: a `postgresql://` URL, or empty for the SQLite file `<var_dir>/shuangfang.sqlite3`."""
    redis_url: str = ""
    """`REDIS_URL`: arq queue and shared stores; empty runs jobs in-process."""
    photo_dir: Path = Path("var/photos")
    """`SF_PHOTO_DIR`: where photo originals and derivatives are kept."""
    photo_max_bytes: int = 20 * 1024 * 1024
    """`SF_PHOTO_MAX_BYTES`: the largest photo accepted, in bytes (20 MiB; at most 60 MiB, the upload route's bound)."""
    photo_max_pixels: int = 50_000_000
    """`SF_PHOTO_MAX_PIXELS`: the most pixels a photo's header may declare; checked before anything is decoded."""
    photo_decode_budget_bytes: int = 512 * 1024 * 1024
    """`SF_PHOTO_DECODE_BUDGET`: bytes of decoded pixels one process may hold at once (512 MiB: two 50 MP photos);
    a photo needing more than all of it is refused (413), one that does not fit beside others waits, then 503."""
    photo_decode_wait_s: float = 10.0
    """`SF_PHOTO_DECODE_WAIT`: seconds a decode waits for room in the budget before answering busy (503)."""
    photo_sweep_grace_s: float | None = None
    """`SF_PHOTO_SWEEP_GRACE`: seconds a file no row names must have lain before the start-up sweep removes it
    (domain/photos/sweep.py); unset, 0 on SQLite (one process) and 900 on PostgreSQL (other processes' uploads)."""
    document_max_bytes: int = 20 * 1024 * 1024
    """`SF_DOCUMENT_MAX_BYTES`: the largest PDF document accepted, in bytes (20 MiB; at most 60 MiB)."""
    document_max_pages: int = 200
    """`SF_DOCUMENT_MAX_PAGES`: the most pages a PDF document may have."""
    storage: str = "local"
    """`SF_STORAGE`: where photo and document files are kept: `local` (the photo folder, the embedded default) or
    `s3` (an S3-compatible bucket: Aliyun OSS, MinIO, AWS S3; uploads still arrive in `<photo_dir>/incoming/`)."""
    s3_endpoint_url: str = ""
    """`SF_S3_ENDPOINT`: the object store's URL, e.g. `https://oss-cn-hangzhou.aliyuncs.com` or
    `http://minio:9000`; empty: AWS S3 of `SF_S3_REGION`."""
    s3_bucket: str = ""
    """`SF_S3_BUCKET`: the bucket the files go in (made beforehand; the service never creates buckets)."""
    s3_prefix: str = ""
    """`SF_S3_PREFIX`: a folder inside the bucket (e.g. `zhoushan/`), so installations may share one bucket."""
    s3_region: str = "us-east-1"
    """`SF_S3_REGION`: the region signatures name (`oss-cn-hangzhou` on Aliyun OSS; any for MinIO)."""
    s3_access_key_id: str = field(default="", repr=False)
    """`SF_S3_ACCESS_KEY_ID`: the access key; empty: boto3's own chain (environment, instance role)."""
    s3_secret_access_key: str = field(default="", repr=False)
    """`SF_S3_SECRET_ACCESS_KEY`: the secret of the access key."""
    s3_addressing_style: str = "auto"
    """`SF_S3_ADDRESSING`: `virtual` (bucket in the host name: Aliyun OSS requires it), `path` (bucket in the path:
    MinIO, moto) or `auto` (boto3 decides)."""
    s3_url_ttl_s: int = 300
    """`SF_S3_URL_TTL`: seconds a signed download URL stays valid (5 minutes: long enough to follow the redirect
    and load the image, short enough that a URL passed on soon stops working)."""
    jwt_secret: str = field(default="", repr=False)
    """`SF_JWT_SECRET`: signs access tokens; generated into `<var_dir>/secrets.json` when not given."""
    qr_keys: dict[str, str] = field(default_factory=dict, repr=False)
    """`SF_QR_KEYS`: JSON `{"<keyId 0–255>": "<secret, 16+ chars>"}` for QR signatures; generated when not given."""
    qr_active_key: str = ""
    """`SF_QR_ACTIVE_KEY`: the key id new codes are signed with (default: the highest)."""
    access_token_ttl_s: int = 900
    """`SF_ACCESS_TOKEN_TTL`: lifetime of an access token in seconds (15 minutes)."""
    refresh_token_ttl_s: int = 30 * 24 * 3600
    """`SF_REFRESH_TOKEN_TTL`: lifetime of a refresh token in seconds (30 days)."""
    console_session_ttl_s: int = 12 * 3600
    """`SF_CONSOLE_SESSION_TTL`: how long a console sign-in lasts, in seconds (12 hours, a working day)."""
    lockout_failures: int = 5
    """`SF_LOCKOUT_FAILURES`: failed sign-ins of one username from one address within the window that lock that
    username for that address only (the same account still signs in from elsewhere)."""
    lockout_window_s: int = 15 * 60
    """`SF_LOCKOUT_WINDOW`: the window of failed sign-ins of a username from one address, in seconds (15 minutes)."""
    lockout_username_failures: int = 50
    """`SF_LOCKOUT_USERNAME_FAILURES`: failed sign-ins of one username from all addresses within the slower window
    that lock the username everywhere (the ceiling for a guesser spread over many addresses)."""
    lockout_username_window_s: int = 3600
    """`SF_LOCKOUT_USERNAME_WINDOW`: the window of the username's ceiling, in seconds (one hour)."""
    signin_address_failures: int = 8
    """`SF_SIGNIN_ADDRESS_FAILURES`: failed sign-ins from one client address (any usernames) within
    `SF_SIGNIN_ADDRESS_WINDOW` after which that address gets 429 (successful sign-ins do not count)."""
    signin_address_window_s: int = 15 * 60
    """`SF_SIGNIN_ADDRESS_WINDOW`: the window of an address's failed sign-ins, in seconds (15 minutes)."""
    signin_address_attempts: int = 60
    """`SF_SIGNIN_ADDRESS_ATTEMPTS`: sign-in attempts of any outcome from one address per minute (a site office
    behind one address signs its whole team in well below it; each attempt costs ~100 ms of password hashing)."""
    signin_username_attempts: int = 20
    """`SF_SIGNIN_USERNAME_ATTEMPTS`: sign-in attempts of one username from all addresses per minute."""
    trusted_proxies: tuple[str, ...] = ()
    """`SF_TRUSTED_PROXIES`: comma-separated addresses or networks (CIDR) of reverse proxies whose
    `X-Forwarded-For` names the client; empty (the default): the socket's peer is the client."""
    write_limit: int = 120
    """`SF_WRITE_LIMIT`: authenticated writes (POST, PUT, PATCH, DELETE under `/v1`) one user may send per window;
    a sync batch is one write. `0` turns the limit off."""
    write_window_s: int = 60
    """`SF_WRITE_WINDOW`: the window of `SF_WRITE_LIMIT`, in seconds (one minute)."""
    public_base_url: str = "http://127.0.0.1:8000"
    """`SF_PUBLIC_BASE_URL`: the base of URLs printed in QR codes."""
    demo_password: str = field(default="Demo@2026", repr=False)
    """`DEMO_PASSWORD`: the password of every demo account made by `shuangfang seed --demo`."""
    password_hash_cost: str = "default"
    """`SF_PASSWORD_HASH_COST`: `default` (argon2id, 64 MiB) or `fast` (tests only: a small memory cost)."""
    idempotency_ttl_s: int = 24 * 3600
    """`SF_IDEMPOTENCY_TTL`: how long a kept answer to an `Idempotency-Key` is replayed, in seconds (24 hours)."""
    run_schedule: bool = True
    """`SF_RUN_SCHEDULE`: without Redis, run the cron schedule inside the API process (`0` turns it off: tests)."""
    count_statements: bool = False
    """`SF_COUNT_STATEMENTS`: `1` adds `X-Statements: <n>` to each response, the SQL statements it ran (tests)."""
    platform_push: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    """`SF_PLATFORM_PUSH`: JSON `{"<region code>": {"url": ..., "secret": ..., "regionPath": "/330900/"}}`, the
    provincial platform's endpoint and HMAC secret per region; empty (the default, and the demo's): the push job
    only keeps the ledger and reports "no endpoint configured"."""

    def qr_signing_keys(self) -> dict[int, bytes]:
        """The QR keys as the token module takes them: small integer ids, byte secrets."""
        return {int(key_id): secret.encode() for key_id, secret in self.qr_keys.items()}

    @property
    def qr_active_key_id(self) -> int:
        """The key id new QR codes are signed with."""
        return int(self.qr_active_key)

    @property
    def is_sqlite(self) -> bool:
        """True when running on the embedded SQLite file."""
        return not self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sweep_grace_s(self) -> float:
        """The start-up sweep's grace: as set, else none with one process (SQLite) and 15 minutes on PostgreSQL."""
        if self.photo_sweep_grace_s is not None:
            return self.photo_sweep_grace_s
        return 0.0 if self.is_sqlite else 900.0

    @property
    def sqlite_path(self) -> Path:
        """The SQLite file used when no PostgreSQL URL is set."""
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///"))
        return self.var_dir / "shuangfang.sqlite3"


# Hosts a server listens on every interface at: nobody can open a URL with them, so links name a real address.
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})


def served_base_url(host: str, port: int, *, lan_address: str | None = None) -> str:
    """The base of printed codes and links for a server listening on host:port: the host itself, or for a wildcard
    host the machine's address on its local network (what a phone on the same Wi-Fi reaches), else loopback."""
    if host in WILDCARD_HOSTS:
        host = lan_address or "127.0.0.1"
    if ":" in host:  # an IPv6 literal goes in brackets
        host = f"[{host}]"
    return f"http://{host}:{port}"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read settings from the environment, generating and keeping missing secrets in the var folder."""
    env = dict(os.environ if env is None else env)
    var_dir = Path(env.get("SF_VAR_DIR", "var"))
    kept = _kept_secrets(var_dir) if not (env.get("SF_JWT_SECRET") and env.get("SF_QR_KEYS")) else {}
    qr_keys = json.loads(env["SF_QR_KEYS"]) if env.get("SF_QR_KEYS") else kept["qr_keys"]
    return Settings(
        var_dir=var_dir,
        database_url=env.get("DATABASE_URL", ""),
        redis_url=env.get("REDIS_URL", ""),
        photo_dir=Path(env.get("SF_PHOTO_DIR", str(var_dir / "photos"))),
        photo_max_bytes=int(env.get("SF_PHOTO_MAX_BYTES", 20 * 1024 * 1024)),
        photo_max_pixels=int(env.get("SF_PHOTO_MAX_PIXELS", 50_000_000)),
        photo_decode_budget_bytes=int(env.get("SF_PHOTO_DECODE_BUDGET", 512 * 1024 * 1024)),
        photo_decode_wait_s=float(env.get("SF_PHOTO_DECODE_WAIT", 10.0)),
        photo_sweep_grace_s=float(env["SF_PHOTO_SWEEP_GRACE"]) if env.get("SF_PHOTO_SWEEP_GRACE") else None,
        document_max_bytes=int(env.get("SF_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024)),
        document_max_pages=int(env.get("SF_DOCUMENT_MAX_PAGES", 200)),
        storage=env.get("SF_STORAGE", "local"),
        s3_endpoint_url=env.get("SF_S3_ENDPOINT", ""),
        s3_bucket=env.get("SF_S3_BUCKET", ""),
        s3_prefix=env.get("SF_S3_PREFIX", ""),
        s3_region=env.get("SF_S3_REGION", "us-east-1"),
        s3_access_key_id=env.get("SF_S3_ACCESS_KEY_ID", ""),
        s3_secret_access_key=env.get("SF_S3_SECRET_ACCESS_KEY", ""),
        s3_addressing_style=env.get("SF_S3_ADDRESSING", "auto"),
        s3_url_ttl_s=int(env.get("SF_S3_URL_TTL", 300)),
        jwt_secret=env.get("SF_JWT_SECRET") or kept["jwt_secret"],
        qr_keys=qr_keys,
        qr_active_key=env.get("SF_QR_ACTIVE_KEY") or max(qr_keys, key=int),
        access_token_ttl_s=int(env.get("SF_ACCESS_TOKEN_TTL", 900)),
        refresh_token_ttl_s=int(env.get("SF_REFRESH_TOKEN_TTL", 30 * 24 * 3600)),
        console_session_ttl_s=int(env.get("SF_CONSOLE_SESSION_TTL", 12 * 3600)),
        lockout_failures=int(env.get("SF_LOCKOUT_FAILURES", 5)),
        lockout_window_s=int(env.get("SF_LOCKOUT_WINDOW", 15 * 60)),
        lockout_username_failures=int(env.get("SF_LOCKOUT_USERNAME_FAILURES", 50)),
        lockout_username_window_s=int(env.get("SF_LOCKOUT_USERNAME_WINDOW", 3600)),
        signin_address_failures=int(env.get("SF_SIGNIN_ADDRESS_FAILURES", 8)),
        signin_address_window_s=int(env.get("SF_SIGNIN_ADDRESS_WINDOW", 15 * 60)),
        signin_address_attempts=int(env.get("SF_SIGNIN_ADDRESS_ATTEMPTS", 60)),
        signin_username_attempts=int(env.get("SF_SIGNIN_USERNAME_ATTEMPTS", 20)),
        trusted_proxies=tuple(part.strip() for part in env.get("SF_TRUSTED_PROXIES", "").split(",") if part.strip()),
        write_limit=int(env.get("SF_WRITE_LIMIT", 120)),
        write_window_s=int(env.get("SF_WRITE_WINDOW", 60)),
        public_base_url=env.get("SF_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        demo_password=env.get("DEMO_PASSWORD", "Demo@2026"),
        password_hash_cost=env.get("SF_PASSWORD_HASH_COST", "default"),
        idempotency_ttl_s=int(env.get("SF_IDEMPOTENCY_TTL", 24 * 3600)),
        run_schedule=env.get("SF_RUN_SCHEDULE", "1") != "0",
        count_statements=env.get("SF_COUNT_STATEMENTS") == "1",
        platform_push=json.loads(env["SF_PLATFORM_PUSH"]) if env.get("SF_PLATFORM_PUSH") else {},
    )


def _kept_secrets(var_dir: Path) -> dict:
    """Secrets generated on first run, kept readable by the owner only, never committed."""
    path = var_dir / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    var_dir.mkdir(parents=True, exist_ok=True)
    kept = {"jwt_secret": secrets.token_urlsafe(48), "qr_keys": {"1": secrets.token_urlsafe(32)}}
    # Write beside and link into place, so a process starting at the same moment never reads half a file.
    draft = var_dir / f".secrets.{os.getpid()}.json"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(kept, handle)
    try:
        os.link(draft, path)
    except FileExistsError:
        kept = json.loads(path.read_text())
    finally:
        draft.unlink()
    return kept
