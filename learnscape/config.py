"""The trust's configuration: one YAML file, read once, passed everywhere as a typed, frozen object.

Every compliance rule of the trust's counting policy is a setting here with the default from
`trust-rules.md`, so an education lead changes policy by editing YAML, not Python. Secrets never live in this
file: it names the environment variables (or Prefect Secret blocks) that hold them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

DEFAULT_CONFIG_NAME = "learnscape.yaml"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TrustSettings(_Frozen):
    """Who the trust is: its name for reports and its ESR VPD code."""

    name: str = "Sample Ambulance Service NHS Trust"
    vpd: str = "457"
    ods_code: str = Field(default="RRU", description="The trust's ODS code, as survey files name it.")


class PathSettings(_Frozen):
    """Folders the pipeline reads and writes, relative to the config file's folder unless absolute."""

    landing: str = "landing"
    outbox: str = "outbox"
    reports: str = "reports"
    state: str = ".learnscape"


class WarehouseSettings(_Frozen):
    """Where the warehouse lives. `url_env` names an environment variable that overrides `url` when set."""

    url: str = "sqlite:///learnscape.db"
    url_env: str = "LEARNSCAPE_WAREHOUSE_URL"
    staging_loads_kept: int = Field(default=2, ge=1)
    build_people_per_part: int = Field(
        default=10_000,
        ge=1,
        description="The build reads and computes this many people at a time, so its memory stays bounded "
        "however large the trust or region; a trust of up to this many people is built in one part.",
    )
    build_worker_processes: int = Field(
        default=1,
        ge=0,
        description="Processes that read and compute the build's next parts while it writes the current one "
        "(0: the build computes every part itself). Used only when the build has more than one part.",
    )
    publish_worker_processes: int = Field(
        default=1,
        ge=0,
        le=1,
        description="A process that writes the feed's skills gap file while publishing writes the compliance "
        "files, both from one snapshot of the warehouse (0: publishing writes every file itself).",
    )


class TotaraSettings(_Frozen):
    """Totara LMS external API; credentials come from the named environment variables.

    `enabled` turns on the API pull in the nightly run (report exports are read from the landing folder either way).
    """

    enabled: bool = False
    base_url: str = "http://127.0.0.1:8081"
    client_id_env: str = "LEARNSCAPE_TOTARA_CLIENT_ID"
    client_secret_env: str = "LEARNSCAPE_TOTARA_CLIENT_SECRET"
    user_key_field: str = "idnumber"
    job_assignment_key_field: str = "idnumber"
    timezone: str = "Europe/London"
    chunk_rows: int = Field(
        default=100_000, ge=1_000, description="Report Builder export rows read, validated and staged at a time."
    )


class StudentSystemSettings(_Frozen):
    """The student management system's REST API; the bearer key comes from the named environment variable.

    `programme_roles` maps programme codes to the job role their students qualify into (the skills pipeline).
    """

    enabled: bool = False
    programme_roles: dict[str, str] = Field(default_factory=dict)
    base_url: str = "http://127.0.0.1:8082/api/v1"
    api_key_env: str = "LEARNSCAPE_STUDENT_API_KEY"
    page_size: int = Field(default=500, ge=1, le=5000)


class EsrSettings(_Frozen):
    """ESR exports: heading overrides when the trust renamed report columns.

    `headings` is `{kind: {field: [heading, ...]}}` with kind `staff_in_post` or `competences`; each field listed
    replaces the default headings of `schemas/esr_headings.yaml`.
    """

    headings: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    chunk_rows: int = Field(default=100_000, ge=1_000)


class SourceSettings(_Frozen):
    esr: EsrSettings = EsrSettings()
    totara: TotaraSettings = TotaraSettings()
    student_system: StudentSystemSettings = StudentSystemSettings()


class ComplianceSettings(_Frozen):
    """The trust's counting rules (trust-rules.md), each default as the trust's education team set it."""

    in_scope_statuses: tuple[str, ...] = ("Active Assignment", "Internal Secondment", "Acting Up")
    new_starter_grace_weeks: int = Field(default=12, ge=0)
    expiring_window_days: int = Field(default=90, ge=0)
    target_pct: float = Field(default=90.0, ge=0, le=100)
    amber_floor_pct: float = Field(default=80.0, ge=0, le=100)
    competency_targets: dict[str, float] = Field(
        default_factory=dict, description="Per-competence target % overriding target_pct."
    )
    requirements_from_esr_essential: bool = Field(
        default=False,
        description="Also require competences ESR marks Essential=Y for the person (off: the TNA alone decides).",
    )
    max_full_file_end_share: float = Field(
        default=0.20,
        ge=0,
        le=1,
        description="Refuse a full ESR file that would end more than this share of current assignments.",
    )

    def target_for(self, competency_name: str) -> float:
        return self.competency_targets.get(competency_name, self.target_pct)


class LearnscapeConfig(_Frozen):
    """The whole configuration of one Learnscape installation."""

    trust: TrustSettings = TrustSettings()
    paths: PathSettings = PathSettings()
    warehouse: WarehouseSettings = WarehouseSettings()
    sources: SourceSettings = SourceSettings()
    compliance: ComplianceSettings = ComplianceSettings()
    base_dir: str = Field(
        default=".", exclude=True, validate_default=True, description="Folder relative paths resolve against."
    )

    @field_validator("base_dir")
    @classmethod
    def _absolute(cls, value: str) -> str:
        return str(Path(value).resolve())

    @model_validator(mode="after")
    def _folders_stay_inside(self) -> LearnscapeConfig:
        """A relative folder must stay inside the installation (an absolute one is a deliberate choice)."""
        base = Path(self.base_dir).resolve()
        for name, value in self.paths.model_dump().items():
            if Path(value).is_absolute():
                continue
            if not (base / value).resolve().is_relative_to(base):
                raise ValueError(
                    f"paths.{name}: {value!r} leads outside the configuration's folder {base}; "
                    "give an absolute path if that is really meant"
                )
        return self

    def resolve(self, relative: str) -> Path:
        """An absolute path for a configured folder, relative to the config file's folder."""
        path = Path(relative)
        return path if path.is_absolute() else Path(self.base_dir) / path

    @property
    def landing_dir(self) -> Path:
        return self.resolve(self.paths.landing)

    @property
    def outbox_dir(self) -> Path:
        return self.resolve(self.paths.outbox)

    @property
    def reports_dir(self) -> Path:
        return self.resolve(self.paths.reports)

    @property
    def state_dir(self) -> Path:
        return self.resolve(self.paths.state)

    def warehouse_url(self, environ: dict[str, str] | None = None) -> str:
        """The warehouse URL: the environment override if set, else the configured URL.

        A relative SQLite path is made absolute against the config file's folder, so the same config works from
        any working directory.
        """
        import os

        env = os.environ if environ is None else environ
        url = env.get(self.warehouse.url_env) or self.warehouse.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
            url = prefix + str(self.resolve(url[len(prefix) :]))
        return url

    def with_overrides(self, **changes: object) -> LearnscapeConfig:
        """A copy with top-level sections or paths replaced (used by CLI flags)."""
        return self.model_copy(update=changes)


def load_config(path: Path | None = None, cwd: Path | None = None) -> LearnscapeConfig:
    """Read the config: the given file, else ./learnscape.yaml if present, else the built-in defaults."""
    cwd = cwd or Path.cwd()
    if path is None:
        candidate = cwd / DEFAULT_CONFIG_NAME
        if not candidate.exists():
            return LearnscapeConfig(base_dir=str(cwd))
        path = candidate
    if not path.exists():
        raise FileNotFoundError(f"Config file {path} does not exist; create one with `learnscape init`.")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"Config file {path} must hold a YAML mapping at the top level.")
    return LearnscapeConfig(**raw, base_dir=str(path.parent))


def dump_config(config: LearnscapeConfig) -> str:
    """The config as YAML, every setting spelt out so a reader sees the defaults."""
    data = config.model_dump(mode="json", exclude={"base_dir"})
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def write_default_config(path: Path) -> LearnscapeConfig:
    config = LearnscapeConfig(base_dir=str(path.parent))
    path.write_text(
        "# Learnscape configuration. Paths are relative to this file's folder.\n"
        "# Secrets are never written here: the *_env settings name the environment variables that hold them.\n"
        + dump_config(config),
        encoding="utf-8",
    )
    return config


def parse_as_of(value: str | None) -> date:
    """The reporting date from a CLI string, or today."""
    return date.fromisoformat(value) if value else date.today()
