"""What each figure of a donor report counts, as the disclosure control needs to know it."""

from reporting.disclosure import Quantity, Schema


def schema() -> Schema:
    from reporting.breakdowns import BENEFICIARY_MEASURES, COLUMN_MEASURES
    from reporting.indicators import INDICATORS

    quantities = {
        code: Quantity(
            sensitive=definition.suppressible,
            people=definition.people,
            people_of=definition.people_of,
            occasions=definition.occasions,
            part_of=definition.part_of,
            part_key=definition.part_key,
        )
        for code, definition in INDICATORS.items()
        if definition.suppressible
    }
    return Schema(quantities=quantities, columns=COLUMN_MEASURES, beneficiaries=BENEFICIARY_MEASURES)
