from __future__ import annotations

import hashlib
import uuid
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from amparo.core.roles import BUILTIN_ROLES, PERMISSIONS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Area(models.Model):
    """A country or an administrative area inside one (ISO 3166 or OCHA P-code)."""

    class Level(models.IntegerChoices):
        COUNTRY = 0, _("Country")
        ADMIN1 = 1, _("First-level area")
        ADMIN2 = 2, _("Second-level area")
        ADMIN3 = 3, _("Third-level area")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent area"),
    )
    country_code = models.CharField(_("country"), max_length=2, db_index=True)
    kind = models.CharField(_("kind"), max_length=60, blank=True)

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=0, parent__isnull=True)
                | models.Q(level__gt=0, parent__isnull=False),
                name="area_parent_matches_level",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "es").startswith("en"):
            return self.name_en
        return self.name


class Organization(models.Model):
    class Kind(models.TextChoices):
        NGO = "ngo", _("Non-governmental organization")
        UN_AGENCY = "un_agency", _("UN agency")
        GOVERNMENT = "government", _("Government institution")
        HEALTH = "health", _("Health service")
        POLICE = "police", _("Police")
        JUSTICE = "justice", _("Prosecutor or court")
        CHILD_PROTECTION = "child_protection", _("Child protection institution")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.NGO)
    is_care_route_partner = models.BooleanField(_("Care Route partner"), default=False)
    require_two_factor = models.BooleanField(
        _("two-factor sign-in required"),
        default=True,
        help_text=_(
            "Users who administer accounts or can read restricted files (GBV, PSEA) must confirm "
            "each sign-in with a code from an authenticator app."
        ),
    )
    country = models.ForeignKey(
        Area,
        models.PROTECT,
        null=True,
        blank=True,
        limit_choices_to={"level": 0},
        verbose_name=_("country"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class Office(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization, models.PROTECT, related_name="offices", verbose_name=_("organization")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    area = models.ForeignKey(Area, models.PROTECT, null=True, blank=True, verbose_name=_("area"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization__name", "name"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="office_code_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    """A named permission set. Built-in roles have no organization; others belong to one."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("organization"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    permissions = models.JSONField(_("permissions"), default=list)
    office_bound = models.BooleanField(
        _("limited to the user's office"),
        default=True,
        help_text=_("Users with this role see only the records of their own office."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(organization__isnull=True),
                name="builtin_role_code_unique",
            ),
            models.UniqueConstraint(fields=["organization", "code"], name="role_code_per_org"),
        ]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def is_builtin(self) -> bool:
        return self.organization_id is None

    @property
    def label(self) -> StrOrPromise:
        builtin = BUILTIN_ROLES.get(self.code) if self.is_builtin else None
        return builtin.name if builtin else self.name

    def permission_labels(self) -> list[str]:
        return [str(PERMISSIONS[p]) for p in self.permissions if p in PERMISSIONS]


class AmparoUserManager(UserManager["User"]):
    def get_queryset(self) -> models.QuerySet[User]:
        return super().get_queryset().select_related("organization", "office", "role")


class User(AbstractUser):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("organization"),
    )
    office = models.ForeignKey(
        Office,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("office"),
    )
    role = models.ForeignKey(
        Role, models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("role")
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="es"
    )

    objects: ClassVar[AmparoUserManager] = AmparoUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def permissions(self) -> frozenset[str]:
        if not self.is_active or self.role is None:
            return frozenset()
        return frozenset(self.role.permissions)

    @property
    def office_bound(self) -> bool:
        return self.role is not None and self.role.office_bound


class ApiToken(models.Model):
    """A key for the API. Only its SHA-256 is stored: the key is shown once, when issued.

    It ends at `expires_at`, when revoked (by its holder, an administrator, or a password
    change), or when the account is deactivated.
    """

    PREFIX_LENGTH = 8

    class Ending(models.TextChoices):
        SIGNED_OUT = "signed_out", _("Signed out")
        REVOKED_BY_USER = "revoked_by_user", _("Revoked by the user")
        REVOKED_BY_ADMIN = "revoked_by_admin", _("Revoked by an administrator")
        PASSWORD_CHANGED = "password_changed", _("Password changed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Ties the token to the password it was issued under (as Django ties sessions): after
    # any password change, by whatever path, the stamps differ and the token is refused.
    password_stamp = models.CharField(max_length=64, editable=False)
    prefix = models.CharField(_("beginning of the key"), max_length=PREFIX_LENGTH, editable=False)
    label = models.CharField(_("device"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    ending = models.CharField(_("why it ended"), max_length=20, choices=Ending.choices, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "revoked_at"], name="api_token_user_live")]

    def __str__(self) -> str:
        return f"{self.prefix}…"

    @staticmethod
    def hash_key(key: str) -> str:
        # Keys are 256 random bits: a plain digest is enough, no salt or slow hash needed.
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def stamp_of(user: User) -> str:
        return salted_hmac("amparo.api-token", user.password, algorithm="sha256").hexdigest()

    @property
    def is_active(self) -> bool:
        return (
            self.revoked_at is None
            and self.expires_at > timezone.now()
            and self.password_stamp == self.stamp_of(self.user)
        )


class ReferenceCounter(models.Model):
    """The last number given under a prefix in an organization (households, cases, referrals).

    Advanced only through `core.references.allocate`, which locks the row.
    """

    organization = models.ForeignKey(Organization, models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=20)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "prefix"], name="reference_counter_per_prefix"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last}"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit events are append-only")

    def delete(self):
        raise PermissionError("audit events are append-only")


class AuditEvent(models.Model):
    """One thing that happened. Append-only: never updated, never deleted by the application."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    organization = models.ForeignKey(
        Organization,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("object type"), max_length=60, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    fields = models.JSONField(_("changed fields"), default=list, blank=True)
    ip_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    # Set when the event is about a restricted (GBV or PSEA) file: only that office's GBV team
    # may read it, whoever else reads the log (see queries.audit_events_visible_to).
    restricted_office = models.ForeignKey(
        Office,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("restricted to the GBV team of"),
    )

    # Set to PSEA when the event is about sensitive feedback (fraud, sexual exploitation and
    # abuse, staff misconduct): only the ethics focal points read it. Nullable so that adding
    # it never rebuilds the append-only table on SQLite.
    PSEA = "psea"
    audience = models.CharField(_("audience"), max_length=10, null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["organization", "-at"], name="audit_org_time")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")


class Job(models.Model):
    """Work a user started that runs in the background worker (`core/jobs.py`): an import.

    The uploaded file waits here, encrypted, until the job ends (workers may run on other
    machines: the database is what they share); jobs are removed a day after they end.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        FINISHED = "finished", _("finished")
        REFUSED = "refused", _("refused")
        FAILED = "failed", _("failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("owner")
    )
    handler = models.CharField(_("handler"), max_length=200)  # dotted path of a @jobs.handler
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    data = models.BinaryField(null=True, blank=True, editable=False)  # Fernet token
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.QUEUED)
    phase = models.CharField(_("phase"), max_length=20, blank=True)  # e.g. "checking", "saving"
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written while it runs (`core.jobs`): long silent, its worker is taken for dead.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return f"{self.handler} {self.state}"

    @property
    def is_over(self) -> bool:
        return self.state not in {self.State.QUEUED, self.State.RUNNING}
