"""The service map (palvelukartta): the services a region's and municipality's providers offer,
from which a plan's measures are chosen."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlalchemy import JSON, Column
from sqlmodel import Field as TableField, SQLModel

from services.planning.commands import LANGUAGE, MeasureKind
from shared import municipalities
from shared.db import utc_column

Delivery = Literal["on_site", "remote", "both"]
NATIONAL = "national"  # the region of a service offered in the whole country: only administrators manage it
ClientGroup = Literal[
    "all", "family_migrants", "students", "stay_at_home_parents", "young_people", "disabled", "trafficking_victims",
    "refugees", "work_migrants", "jobseekers", "children", "unaccompanied_minors",
]


class ServiceMapEntry(SQLModel, table=True):
    __tablename__ = "service_map_entry"

    service_code: str = TableField(primary_key=True)
    region: str = TableField(index=True)  # Statistics Finland's region (maakunta), e.g. Kanta-Häme
    municipality_codes: list[str] = TableField(sa_column=Column(JSON, nullable=False))  # empty: the whole region
    names: dict[str, str] = TableField(sa_column=Column(JSON, nullable=False))  # fi, sv, en
    kind: str = TableField(index=True)  # a measure kind of the plan
    provider: str
    languages: list[str] = TableField(sa_column=Column(JSON, nullable=False))
    delivery: str
    client_groups: list[str] = TableField(sa_column=Column(JSON, nullable=False))
    contact: dict[str, Any] | None = TableField(default=None, sa_column=Column(JSON, nullable=True))
    example: bool = False  # example data, not a real provider's service
    updated_at: datetime = TableField(sa_column=utc_column())


class Names(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fi: str = Field(min_length=1, max_length=300)
    sv: str = Field(min_length=1, max_length=300)
    en: str = Field(min_length=1, max_length=300)


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(default=None, max_length=40)
    # https only: the dashboard shows it as a link, and javascript: or plain http has no place there
    url: str | None = Field(default=None, max_length=500, pattern=r"^https://[^\s]+$")


class ServiceBody(BaseModel):
    """One service of the map (PUT /api/v1/service-map/{service_code})."""

    model_config = ConfigDict(extra="forbid")

    names: Names
    kind: MeasureKind
    provider: str = Field(min_length=1, max_length=200)
    region: str = Field(
        max_length=100,
        description=f"Statistics Finland's region, e.g. Kanta-Häme, Pohjanmaa, Pohjois-Savo, Keski-Suomi; {NATIONAL!r}: the whole country"
    )
    municipality_codes: list[Annotated[str, Field(pattern=r"^\d{3}$")]] = Field(
        default_factory=list, max_length=400, description="where it is offered on site (of the region); empty: the whole region"
    )
    languages: list[Annotated[str, Field(max_length=3)]] = Field(min_length=1, max_length=50, description="ISO 639-1 (or 639-3) codes")
    delivery: Delivery = "on_site"
    client_groups: list[ClientGroup] = Field(default_factory=lambda: ["all"], max_length=20)
    contact: Contact | None = None
    example: bool = False

    @field_validator("region")
    @classmethod
    def known_region(cls, region: str) -> str:
        if region != NATIONAL and region not in {m.region for m in municipalities.all_municipalities()}:
            raise ValueError(f"unknown region {region!r}")
        return region

    @field_validator("municipality_codes")
    @classmethod
    def known_municipalities(cls, codes: list[str], info: ValidationInfo) -> list[str]:
        unknown = [code for code in codes if not municipalities.exists(code)]
        if unknown:
            raise ValueError(f"unknown municipality codes: {', '.join(unknown)}")
        # Who may manage a service follows from where it is offered (docs/roles.md): the two must agree.
        region = info.data.get("region")
        outside = [code for code in codes if region and municipalities.get(code).region != region]
        if outside:
            raise ValueError(f"not municipalities of the region {region}: {', '.join(outside)}")
        return codes

    @field_validator("languages")
    @classmethod
    def language_codes(cls, languages: list[str]) -> list[str]:
        import re

        bad = [language for language in languages if not re.match(LANGUAGE, language)]
        if bad:
            raise ValueError(f"not language codes: {', '.join(bad)}")
        return languages


class ServiceItem(ServiceBody):
    """A service as the map lists it (and as a file to load lists them)."""

    service_code: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class Suggestion(ServiceItem):
    """A service suggested for a client's plan: why, and how near."""

    matches: list[str]  # the service needs it answers
    nearness: Literal["municipality", "region", "remote"]
    shared_languages: list[str]
    matching_groups: list[str] = Field(
        default_factory=list, description="the client's groups this service is for (empty: a service for everyone)")
