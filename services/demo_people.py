"""The demo's example people (`kotopolku demo`, services/demo.py): who they are, where on the path
each is brought, and the staff steps that lead there. Every name is marked *Esimerkki* and every
identity code has an individual number of 900–999, which the population register never gives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from services.intake.identity import make_identity_code


@dataclass(frozen=True)
class Measure:
    service_code: str  # of the example service map (services/planning/servicemap/example.json)
    kind: str
    provider: str
    language: str
    hours: int


HAME_KOTO = Measure("EX-HAME-KOTO-FI", "integration_training", "Esimerkkiopisto Häme", "fi", 400)
HAME_CIVIC = Measure("EX-HAME-YO-MULTI", "civic_orientation", "Esimerkkiyhdistys Häme", "fa", 70)  # in a language the client knows
HAME_LITERACY = Measure("EX-HAME-LUKU", "literacy_training", "Esimerkkiopisto Häme", "so", 300)
VAASA_SV = Measure("EX-POHJ-INTEG-SV", "integration_training", "Exempelinstitutet Österbotten", "sv", 400)
VAASA_CIVIC = Measure("EX-POHJ-SAMH", "civic_orientation", "Exempelföreningen Österbotten", "vi", 70)
KUOPIO_LANGUAGE = Measure("EX-SAVO-KIELI", "language_studies", "Esimerkkikansalaisopisto Savo", "fi", 200)
KUOPIO_TRY_OUT = Measure("EX-SAVO-TYOKOKEILU", "work_try_out", "Esimerkkityöpaja Savo", "fi", 160)

# Where each client's case is brought: the staff steps, in order, that lead there.
STEPS = {
    "registered": [],
    "overdue": [],  # registered long enough ago that the assessment's start deadline has passed
    "scheduled": ["schedule"],
    "in_progress": ["schedule", "start"],
    "planning": ["start", "complete_plan"],
    "follow_up": ["start", "complete_plan", "plan"],
    "reviewed": ["start", "complete_plan", "plan", "review"],
    "no_plan": ["start", "complete_no_plan"],
    "closed": ["start", "complete_plan", "plan", "close"],
    "not_eligible": [],
    "guidance": [],  # no target group (a worker): recorded, offered guidance, no statutory clock
    "triage": [],  # unclear from the registration: waits in the triage queue for staff to decide
}
# The status each target ends in (what the demo waits for before it goes on).
TARGET_STATUS = {
    "registered": {"awaiting_assessment"},
    "overdue": {"assessment_overdue"},
    "scheduled": {"assessment_scheduled"},
    "in_progress": {"assessment_in_progress"},
    "planning": {"awaiting_plan"},
    "follow_up": {"plan_active"},
    "reviewed": {"plan_active"},
    "no_plan": {"plan_not_needed"},
    "closed": {"employed", "studying", "declined", "time_limit", "moved_away", "completed"},
    "not_eligible": {"not_eligible"},
    "guidance": {"guidance_offered"},
    "triage": {"needs_triage"},
}

LATE = {"assessment_overdue", "plan_overdue", "review_overdue", "plan_expired"}


@dataclass(frozen=True)
class Client:
    number: int  # fixes the client's CloudEvent ids, external_ref and identity code
    given_names: str
    family_name: str
    birth_date: date
    sex: str
    nationality: str
    native_language: str
    preferred_languages: tuple[str, ...]
    municipality: str
    basis: str
    target: str
    registered_days_ago: int = 10
    household: str | None = None
    jobseeker: bool = False
    measures: tuple[Measure, ...] = ()
    plan_type: str = "individual"
    closure: str | None = None
    moves_to: str | None = None  # registered in `municipality`, then moves here
    stated_group: str | None = None  # the target group the register states (docs/policy.md)

    @property
    def key(self) -> str:
        return f"demo-{self.number:04d}"

    def registration(self, today: date) -> dict[str, Any]:
        registered_on = today - timedelta(days=self.registered_days_ago)
        # Eligible within three years of the first permit; the not-eligible example came four years ago.
        first_permit = registered_on - timedelta(days=4 * 365 if self.target == "not_eligible" else 21)
        slug = self.family_name.lower().replace("esimerkki-", "")
        data: dict[str, Any] = {
            "person": {
                "given_names": self.given_names,
                "family_name": self.family_name,
                "birth_date": self.birth_date.isoformat(),
                "sex": self.sex,
                "personal_identity_code": make_identity_code(self.birth_date, 900 + self.number),
                "nationality": self.nationality,
                "native_language": self.native_language,
                "preferred_languages": list(self.preferred_languages),
                "contact": {"email": f"{self.given_names.split()[0].lower()}.{slug}@example.org",
                            "phone": f"+35850000{self.number:04d}"},
            },
            "external_ref": self.key,
            "municipality_code": self.municipality,
            "registered_on": registered_on.isoformat(),
            "first_permit_or_registration_on": first_permit.isoformat(),
            "residence_basis": self.basis,
            "jobseeker": self.jobseeker,
        }
        if self.stated_group:
            data["target_group"] = self.stated_group
        if self.household:
            data["household_id"] = f"demo-household-{self.household}"
        return data


D = date
CLIENTS = [
    # Hämeenlinna (109)
    Client(1, "Amina", "Esimerkki-Hassan", D(1991, 3, 14), "female", "SO", "so", ("fi", "en"), "109", "international_protection",
           "registered", registered_days_ago=2, household="1"),
    Client(2, "Abdirahman", "Esimerkki-Hassan", D(1986, 11, 2), "male", "SO", "so", ("en",), "109", "international_protection",
           "scheduled", registered_days_ago=2, household="1"),
    Client(3, "Olena", "Esimerkki-Kovalenko", D(1987, 8, 2), "female", "UA", "uk", ("uk", "en"), "109", "temporary_protection",
           "in_progress", registered_days_ago=20, household="2", stated_group="other_need"),
    Client(4, "Dmytro", "Esimerkki-Kovalenko", D(1984, 1, 19), "male", "UA", "uk", ("uk",), "109", "temporary_protection",
           "planning", registered_days_ago=20, household="2", jobseeker=True),
    Client(5, "Fatemeh", "Esimerkki-Rahimi", D(1995, 6, 30), "female", "AF", "fa", ("fa", "en"), "109", "quota_refugee",
           "reviewed", registered_days_ago=45, household="3", measures=(HAME_KOTO, HAME_CIVIC)),
    Client(6, "Ali Reza", "Esimerkki-Rahimi", D(1990, 9, 5), "male", "AF", "fa", ("fa",), "109", "quota_refugee",
           "follow_up", registered_days_ago=45, household="3", measures=(HAME_LITERACY,), plan_type="multi_sectoral"),
    Client(7, "Nguyen Van", "Esimerkki-An", D(1995, 2, 1), "male", "VN", "vi", ("vi", "en"), "109", "work",
           "guidance", registered_days_ago=0),  # the employer's recruit: the notice is matched to him
    Client(8, "Maria Luisa", "Esimerkki-Santos", D(1989, 12, 12), "female", "PH", "tl", ("en",), "109", "family",
           "closed", registered_days_ago=60, measures=(HAME_KOTO,), closure="employed", stated_group="international_protection"),
    Client(9, "Ahmad", "Esimerkki-Haddad", D(1979, 4, 21), "male", "SY", "ar", ("ar",), "109", "international_protection",
           "overdue", registered_days_ago=75),
    Client(10, "Svetlana", "Esimerkki-Ivanova", D(1972, 7, 7), "female", "RU", "ru", ("ru", "fi"), "109", "family",
           "no_plan", registered_days_ago=30, stated_group="social_assistance"),
    Client(11, "Grace", "Esimerkki-Mensah", D(1998, 10, 10), "female", "GH", "en", ("en",), "109", "study",
           "scheduled", registered_days_ago=8, stated_group="other_need"),
    Client(12, "Mohamed", "Esimerkki-Yusuf", D(1993, 5, 17), "male", "SO", "so", ("so", "en"), "109", "international_protection",
           "registered", registered_days_ago=12, moves_to="905"),
    Client(13, "Carlos", "Esimerkki-Pereira", D(1976, 3, 3), "male", "BR", "pt", ("pt", "en"), "109", "work",
           "not_eligible", registered_days_ago=5),
    # Vaasa (905)
    Client(14, "Ana Clara", "Esimerkki-Silva", D(1994, 8, 8), "female", "BR", "pt", ("sv", "en"), "905", "work",
           "guidance", registered_days_ago=3),
    Client(15, "Mei", "Esimerkki-Chen", D(2000, 2, 29), "female", "CN", "zh", ("en",), "905", "study",
           "in_progress", registered_days_ago=25, stated_group="other_need"),
    Client(16, "Tran Thi", "Esimerkki-Binh", D(1988, 11, 30), "female", "VN", "vi", ("sv", "vi"), "905", "family",
           "reviewed", registered_days_ago=50, measures=(VAASA_SV, VAASA_CIVIC), stated_group="international_protection"),
    Client(17, "Leyla", "Esimerkki-Karimi", D(1997, 1, 15), "female", "IR", "fa", ("en",), "905", "quota_refugee",
           "closed", registered_days_ago=55, measures=(VAASA_SV,), closure="studying"),
    Client(18, "Jonas", "Esimerkki-Berg", D(1985, 6, 1), "male", "SE", "sv", ("sv",), "905", "nordic",
           "planning", registered_days_ago=15, stated_group="other_need"),
    # Kuopio (297)
    Client(19, "Hiba", "Esimerkki-Jaber", D(1992, 12, 1), "female", "IQ", "ar", ("ar", "en"), "297", "international_protection",
           "scheduled", registered_days_ago=6, household="4"),
    Client(20, "Yusuf", "Esimerkki-Jaber", D(1990, 2, 11), "male", "IQ", "ar", ("ar",), "297", "international_protection",
           "follow_up", registered_days_ago=40, household="4", measures=(KUOPIO_LANGUAGE, KUOPIO_TRY_OUT), jobseeker=True),
    Client(21, "Priya", "Esimerkki-Sharma", D(1993, 4, 4), "female", "IN", "hi", ("en",), "297", "family",
           "closed", registered_days_ago=50, measures=(KUOPIO_LANGUAGE,), closure="declined", stated_group="child_home_care_allowance"),
    Client(22, "Kateryna", "Esimerkki-Melnyk", D(1981, 9, 9), "female", "UA", "uk", ("uk", "en"), "297", "temporary_protection",
           "planning", registered_days_ago=18, stated_group="other_need"),
    Client(23, "Tigist", "Esimerkki-Bekele", D(1996, 7, 20), "female", "ET", "am", ("en",), "297", "returnee",
           "triage", registered_days_ago=1),
]
RECRUIT = CLIENTS[6]
