"""Known answers shared by tests, copied by hand from the published sources.

`CENSUS_COUNTS`: for each system, (responses, comments) to the census date,
from the 2017/18 annex's response table (shared/spec/systems.csv). Never
computed by the code under test.

`CQC_SYSTEM_CHARTS`: a briefing pack's charts for the CQC instrument, in
document order, as the issue on figures lists them.
"""

CQC_SYSTEM_CHARTS = [
    "relational_value_heatmap",
    "relational_proximity_domains",
    "best_worst",
    "all_statements",
    "communication_by_role",
    "profile",
]

CENSUS_COUNTS = {
    "halton": (16, 7),
    "bracknell-forest": (18, 8),
    "stoke-on-trent": (43, 22),
    "hartlepool": (32, 13),
    "trafford": (32, 14),
    "manchester": (42, 19),
    "york": (70, 33),
    "east-sussex": (130, 49),
    "oxfordshire": (268, 105),
    "plymouth": (161, 69),
    "birmingham": (59, 29),
    "coventry": (51, 19),
    "bradford": (172, 61),
    "cumbria": (158, 72),
    "liverpool": (73, 30),
    "sheffield": (253, 108),
    "wiltshire": (139, 60),
    "hampshire": (400, 147),
    "stockport": (305, 88),
    "northamptonshire": (116, 47),
}

# National statement means that the 2017/18 annex states in its text
# (shared/spec/calibration.md, "certain"), 0-5 after reverse scoring.
PUBLISHED_STATEMENT_MEANS = {
    "fairness_culture": 3.32,
    "trust_culture": 3.14,
    "integrity_vision": 3.14,
    "trust_people": 2.15,
    "proximity_parity": 2.93,
    "proximity_continuity": 2.14,
}
# The annex's best statement, and its worst three among the relational value
# statements (the framework the annex ranks them in).
PUBLISHED_BEST = "fairness_culture"
PUBLISHED_WORST_THREE = {"trust_people", "integrity_technology", "respect_technology"}
PUBLISHED_WORST_FRAMEWORK = "relational_value"
