"""Demo data of the shared pieces: the municipalities the fictional organisation works in, and what the
demo's women are counted by in donor reports (each activity app's demo asks for both)."""

from core.enums import AgeBand, TargetGroup
from core.models import Municipality

# Vojvodina, where the demo's groups and counseling take place, and Kragujevac, where its third cohort met.
MUNICIPALITIES = [
    "Novi Sad",
    "Zrenjanin",
    "Subotica",
    "Sombor",
    "Kikinda",
    "Pančevo",
    "Vršac",
    "Sremska Mitrovica",
    "Kragujevac",
]


def municipalities() -> dict[str, Municipality]:
    """The demo's municipalities by name, made when missing: each demo that records where women live asks."""
    found = {m.name: m for m in Municipality.objects.filter(name__in=MUNICIPALITIES)}
    for name in MUNICIPALITIES:
        if name not in found:
            found[name] = Municipality.objects.create(name=name)
    return found


# A fixed rhythm rather than chance, so that every load gives each woman the same answers. Mostly women between
# 25 and 44 who came for partner violence; now and then a question she left unanswered.
_AGE_BANDS = [
    AgeBand.AGE_25_34,
    AgeBand.AGE_35_44,
    AgeBand.AGE_25_34,
    AgeBand.AGE_45_54,
    AgeBand.AGE_35_44,
    AgeBand.AGE_18_24,
    "",
    AgeBand.AGE_35_44,
    AgeBand.AGE_55_64,
    AgeBand.AGE_25_34,
    AgeBand.AGE_65_PLUS,
]
_TARGET_GROUPS = [
    TargetGroup.GENERAL,
    TargetGroup.GENERAL,
    TargetGroup.ROMA,
    TargetGroup.GENERAL,
    "",
    TargetGroup.RURAL,
    TargetGroup.GENERAL,
    TargetGroup.DISABILITY,
    TargetGroup.MIGRANT,
    TargetGroup.GENERAL,
    TargetGroup.OLDER,
    TargetGroup.GENERAL,
    TargetGroup.OTHER,
]


def beneficiary_profile(n: int, *, home: Municipality | None, nearby: Municipality | None) -> dict:
    """What the n-th woman of a demo group or caseload is counted by: her age band, her municipality (mostly
    where she comes to, sometimes a neighbouring one, sometimes not given) and her target group."""
    where = None if n % 7 == 6 else nearby if n % 4 == 3 else home
    return {
        "age_band": _AGE_BANDS[n % len(_AGE_BANDS)],
        "municipality": where,
        "target_group": _TARGET_GROUPS[n % len(_TARGET_GROUPS)],
    }


def load(*, users, stdout=None):
    municipalities()
    if stdout is not None:
        stdout.write(f"    municipalities: {len(MUNICIPALITIES)}")
