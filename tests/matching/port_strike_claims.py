"""Claims from the second story (tests/builders/port_strike_articles.py: a fictional dockworkers' strike), with
hand-written facets.

Claim ids are ``article * 100 + n``, as in seed_claims.py; article ids 0-4 are the five outlets in order.
"""

from __future__ import annotations

import dataclasses

from factcheck.matching import ClaimInfo

from .seed_claims import _claim, _num, _year

BOARD = "Marrowby Harbour Board"
UNION = "Marrowby Dockers' Union"
PORT = "Port of Marrowby"


def _again(claim: ClaimInfo, cid: int) -> ClaimInfo:
    """The same sentence, word for word, in another outlet's article."""
    return dataclasses.replace(claim, id=cid, article_id=cid // 100)


# --- 0: Harbour Daily ----------------------------------------------------------------------------
STRIKERS_000 = _claim(
    1,
    "About 2,800 dockworkers walked off the job at the Port of Marrowby on Monday, halting container traffic at "
    "the country's third-busiest harbour.",
    orgs=[PORT], numbers=[_num("2,800", 2800.0)], kinds=("event", "statistic"),
)
STRIKE_CALLED_000 = _claim(
    2,
    "The Marrowby Dockers' Union called the 48-hour strike after talks on pay broke down last week.",
    orgs=[UNION], numbers=[_num("48-hour", 48.0, "h")], dates=[{"text": "last week", "relative": True}],
    kinds=("event",),
)
PAY_000 = _claim(
    3,
    "The union is demanding a 9 percent pay rise, while the Marrowby Harbour Board has offered a 3 percent pay "
    "rise.",
    orgs=[BOARD], numbers=[_num("9 percent", 9.0, "%"), _num("3 percent", 3.0, "%")], kinds=("statistic",),
)
ODUYA_000 = _claim(
    4,
    "\"Our members have not had a real raise in four years,\" said Kezia Oduya, the union's general secretary.",
    people=["Kezia Oduya"], numbers=[_num("four years", 4.0)],
    quotes=[{"text": "Our members have not had a real raise in four years,", "speaker": "Kezia Oduya"}],
    kinds=("quote",),
)
PETTIGREW_000 = _claim(
    5,
    "Alan Pettigrew, chief executive of the Marrowby Harbour Board, said the offer was \"fair and affordable\".",
    people=["Alan Pettigrew"], orgs=[BOARD],
    quotes=[{"text": "fair and affordable", "speaker": "Alan Pettigrew"}], kinds=("quote",),
)
SHIPS_000 = _claim(
    6,
    "By Monday evening, 14 container ships were waiting at anchor outside the harbour.",
    numbers=[_num("14", 14.0)], kinds=("event", "statistic"),
)
NO_RESPONSE_000 = _claim(
    7,
    "The Marrowby Harbour Board did not respond to a request for comment on reports that it would bring in "
    "agency staff.",
    orgs=[BOARD],
)
VOLUME_000 = _claim(
    8,
    "The port handles about 1.2 million containers a year.",
    numbers=[_num("1.2 million", 1_200_000.0)], kinds=("statistic",),
)

# --- 1: Coastal Courier --------------------------------------------------------------------------
STANDSTILL_001 = _claim(
    101,
    "Container traffic at the Port of Marrowby came to a standstill on Monday as dockworkers began a two-day "
    "strike over pay.",
    orgs=[PORT], kinds=("event",),
)
STRIKERS_001 = _claim(
    102,
    "Some 2,100 dockworkers joined the walkout, according to the Marrowby Harbour Board.",
    orgs=[BOARD], numbers=[_num("2,100", 2100.0)], kinds=("event", "statistic"),
)
DEMAND_001 = _claim(
    103,
    "The Marrowby Dockers' Union wants a 9 percent pay rise.",
    orgs=[UNION], numbers=[_num("9 percent", 9.0, "%")], kinds=("statistic",),
)
OFFER_001 = _claim(
    104,
    "The Marrowby Harbour Board says it has offered a 5 percent pay rise.",
    orgs=[BOARD], numbers=[_num("5 percent", 5.0, "%")], kinds=("statistic",),
)
PETTIGRUE_001 = _claim(
    105,
    "Alan Pettigrue, the chief executive of the Marrowby Harbour Board, called the strike \"deeply "
    "disappointing\".",
    people=["Alan Pettigrue"], orgs=[BOARD],
    quotes=[{"text": "deeply disappointing", "speaker": "Alan Pettigrue"}], kinds=("quote",),
)
SHIPS_001 = _claim(
    106,
    "14 container ships were left waiting at anchor outside the harbour.",
    numbers=[_num("14", 14.0)], kinds=("event", "statistic"),
)
LAST_STRIKE_001 = _claim(
    107,
    "The last strike at the port, in 2019, lasted eleven days.",
    numbers=[_num("eleven days", 11.0)], dates=[_year("2019", 2019)], kinds=("event",),
)
BANANAS_001 = _claim(
    108,
    "Fruit importers warned that cargoes of bananas could spoil within days.",
)

# --- 2: Marrowby Evening Post --------------------------------------------------------------------
DENIED_002 = _claim(
    201,
    "The Marrowby Harbour Board denied that it planned to bring in agency staff to replace striking dockworkers.",
    orgs=[BOARD],
)
STRIKERS_002 = _claim(
    202,
    "About 2,800 dockworkers walked out at the Port of Marrowby on Monday morning, and the strike has halted "
    "container traffic at the port.",
    orgs=[PORT], numbers=[_num("2,800", 2800.0)], kinds=("event", "statistic"),
)
ODUYA_002 = _claim(
    203,
    "Kezia Oduya, general secretary of the Marrowby Dockers' Union, said members would not accept a 3 percent "
    "pay rise.",
    people=["Kezia Oduya"], orgs=[UNION], numbers=[_num("3 percent", 3.0, "%")],
)
DEMAND_002 = _claim(
    204,
    "The union is demanding a 9 percent pay rise.",
    numbers=[_num("9 percent", 9.0, "%")], kinds=("statistic",),
)
LAST_STRIKE_002 = _again(LAST_STRIKE_001, 205)

# --- 3: Freight Line Weekly ----------------------------------------------------------------------
SHIPS_003 = _claim(
    301,
    "14 container ships were waiting at anchor outside the harbour on Monday evening, as a dockworkers' strike "
    "halted container traffic at the Port of Marrowby.",
    orgs=[PORT], numbers=[_num("14", 14.0)], kinds=("event", "statistic"),
)
PAY_003 = _claim(
    302,
    "The Marrowby Harbour Board has offered a 3 percent pay rise, and the Marrowby Dockers' Union is demanding a "
    "9 percent pay rise.",
    orgs=[BOARD, UNION], numbers=[_num("3 percent", 3.0, "%"), _num("9 percent", 9.0, "%")],
    kinds=("statistic",),
)
PETTIGREW_003 = _claim(
    303,
    "Alan Pettigrew, chief executive of the Marrowby Harbour Board, said the offer was fair.",
    people=["Alan Pettigrew"], orgs=[BOARD],
)
DIVERTED_003 = _claim(
    304,
    "Shipping lines have begun diverting vessels to Calder Bay.",
    kinds=("event",),
)
VOLUME_003 = _again(VOLUME_000, 305)

# --- 4: City Desk --------------------------------------------------------------------------------
TALKS_004 = _claim(
    401,
    "The 48-hour strike at the Port of Marrowby began on Monday after pay talks between the Marrowby Dockers' "
    "Union and the Marrowby Harbour Board broke down.",
    orgs=[PORT, UNION, BOARD], numbers=[_num("48-hour", 48.0, "h")], kinds=("event",),
)
NO_RESPONSE_004 = _claim(
    402,
    "The Marrowby Harbour Board did not respond to a request for comment on whether it would bring in agency "
    "staff.",
    orgs=[BOARD],
)
BANANAS_004 = _again(BANANAS_001, 403)
TERMINAL_004 = _claim(
    404,
    "The city council will vote next month on a new cruise terminal at the port.",
    dates=[{"text": "next month", "relative": True}], kinds=("event",),
)
ODUYA_004 = _claim(
    405,
    "Kezia Oduya said the union was ready to return to talks \"at any hour\".",
    people=["Kezia Oduya"], quotes=[{"text": "at any hour", "speaker": "Kezia Oduya"}], kinds=("quote",),
)

ALL_CLAIMS: list[ClaimInfo] = [v for k, v in sorted(globals().items()) if isinstance(v, ClaimInfo)]
ALL_CLAIMS.sort(key=lambda c: c.id)

# Said by one outlet only, about nothing another outlet says.
UNRELATED = [DIVERTED_003, TERMINAL_004]
# The same sentence word for word in two outlets.
REPEATED = [(VOLUME_000, VOLUME_003), (LAST_STRIKE_001, LAST_STRIKE_002), (BANANAS_001, BANANAS_004)]
