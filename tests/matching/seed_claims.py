"""Claims from the five seed articles (Ford / Xiaomi, January 2026), with hand-written facets.

Claim ids are ``article * 100 + n`` so a failing assertion says which article a claim came from.
Article ids 0-4 are seeds 000-004.
"""

from __future__ import annotations

from factcheck.matching import ClaimInfo
from factcheck.matching.encoder import encode


def _claim(cid, text, *, people=(), orgs=(), numbers=(), dates=(), quotes=(), kinds=("statement",)):
    return ClaimInfo(
        id=cid,
        article_id=cid // 100,
        text=text,
        embedding=encode([text])[0],
        facets={
            "numbers": [dict(n) for n in numbers],
            "dates": [dict(d) for d in dates],
            "people": list(people),
            "organisations": list(orgs),
            "quotes": [dict(q) for q in quotes],
        },
        kinds=tuple(kinds),
    )


def _num(text, value, unit=""):
    return {"text": text, "value": value, "unit": unit}


def _year(text, year, month=None, day=None):
    return {"text": text, "year": year, "month": month, "day": day}


FOUR_SOURCES = _num("four", 4.0)

# --- 000 -------------------------------------------------------------------------------------
TALKS_000 = _claim(
    1,
    "American automaker Ford recently held talks with Chinese electric vehicle maker Xiaomi about a "
    "possible partnership that would allow Chinese companies to enter the U.S. market, according to "
    "four sources familiar with the negotiations.",
    orgs=["Ford", "Xiaomi"], numbers=[FOUR_SOURCES], kinds=("event",),
)
JV_000 = _claim(
    2,
    "According to those sources, talks were at an early stage, but Ford was considering forming a "
    "joint venture with Xiaomi to produce electric vehicles in the US.",
    orgs=["Ford", "Xiaomi"],
)
BYD_000 = _claim(
    3,
    "Ford has also reportedly talked to BYD and other Chinese manufacturers about potential "
    "cooperation in the American market.",
    orgs=["Ford", "BYD"],
)
FORD_DENIED_000 = _claim(
    4,
    "Ford, however, denied the allegations, stating that the information was incorrect and that such "
    "conversations did not exist.",
    orgs=["Ford"],
)
XIAOMI_NO_RESPONSE_000 = _claim(
    5,
    "Xiaomi did not respond to a request for comment, while BYD declined to comment.",
    orgs=["Xiaomi", "BYD"],
)
MULLENAAR_000 = _claim(
    6,
    "John Mullenaar, the Republican chairman of the House China Committee, said that Ford would "
    "thereby “turn his back on American and allied partners” and further increase the US’s "
    "dependence on China.",
    people=["John Mullenaar"], orgs=["House China Committee", "Ford"],
    quotes=[{"text": "turn his back on American and allied partners", "speaker": "John Mullenaar"}],
    kinds=("quote",),
)
FARLEY_IMPORT_000 = _claim(
    7,
    "Farley even imported the Xiaomi SU7 model for personal use, and last year he warned that Chinese "
    "manufacturers pose an “existential threat” to the Western auto industry.",
    people=["Farley"], orgs=["Xiaomi"], dates=[{"text": "last year", "relative": True}],
)
TARIFF_000 = _claim(
    8,
    "Former President Joe Biden’s administration effectively closed the US market for Chinese cars in "
    "2024 by imposing 100 percent tariffs, and Donald Trump has maintained those measures, with "
    "additional restrictions on software and hardware of Chinese origin in vehicles.",
    people=["Joe Biden", "Donald Trump"], numbers=[_num("100 percent", 100.0, "%")],
    dates=[_year("2024", 2024)], kinds=("statistic", "policy"),
)
TRUMP_WELCOME_000 = _claim(
    9,
    "However, Trump recently said that Chinese companies that want to build factories and hire in the "
    "US would be welcome.",
    people=["Trump"],
)
FARLEY_ADMIRER_000 = _claim(
    10,
    "The story gains additional weight due to the attitude of Ford CEO Jim Farley, who is known to be "
    "a big admirer of Chinese electric vehicles.",
    people=["Jim Farley"], orgs=["Ford"],
)

# --- 001 -------------------------------------------------------------------------------------
BOTH_DENY_TITLE_001 = _claim(
    101, "Xiaomi and Ford Deny Joint EV Venture Amid U.S. Political Scrutiny", orgs=["Xiaomi", "Ford"]
)
FT_REPORT_001 = _claim(
    102,
    "The Financial Times article, citing four anonymous sources, claimed Ford had been exploring a "
    "joint venture with Xiaomi to build EVs domestically.",
    orgs=["Financial Times", "Ford", "Xiaomi"], numbers=[FOUR_SOURCES],
)
FORD_DENIED_001 = _claim(
    103,
    "“This story is completely false,” Ford stated unequivocally.",
    orgs=["Ford"], quotes=[{"text": "This story is completely false,", "speaker": "Ford"}],
    kinds=("quote",),
)
XIAOMI_NO_PLANS_001 = _claim(
    104,
    "Xiaomi added that it has “no plans” to collaborate with Ford in the U.S., citing its current lack "
    "of operations within the American market.",
    orgs=["Xiaomi", "Ford"],
)
MOOLENAAR_001 = _claim(
    105,
    "Any collaboration would likely face fierce opposition from Washington, with some lawmakers, like "
    "Republican Representative John Moolenaar, warning against “turning its back on American and "
    "allied partners.”",
    people=["John Moolenaar"],
)
TRUMP_WELCOME_001 = _claim(
    106,
    "Even former President Donald Trump has offered a surprising perspective, suggesting he would "
    "welcome Chinese companies building factories in the U.S. and employing American workers.",
    people=["Donald Trump"],
)
FARLEY_PRAISE_001 = _claim(
    107,
    "This followed public praise from Ford CEO Jim Farley for Chinese EV technology, particularly the "
    "Xiaomi SU7, which he has reportedly been driving.",
    people=["Jim Farley"], orgs=["Ford", "Xiaomi"],
)

# --- 002 -------------------------------------------------------------------------------------
BOTH_DENY_TITLE_002 = _claim(
    201,
    "Ford and Xiaomi denied rumors of talks about electric car production in the US",
    orgs=["Ford", "Xiaomi"],
)
BOTH_DENY_FT_002 = _claim(
    202,
    "Ford and Xiaomi denied the publication by the Financial Times from January 31, which claimed that "
    "the companies discussed setting up a joint venture to produce electric cars in the US.",
    orgs=["Ford", "Xiaomi", "Financial Times"], dates=[_year("January 31", None, 1, 31)],
)
FORD_DENIED_002 = _claim(
    203,
    "Ford's Director of Public Relations, Mark Truby stated on social media X that this story is "
    "completely false and baseless.",
    people=["Mark Truby"], orgs=["Ford", "X"],
)
XIAOMI_NOT_NEGOTIATING_002 = _claim(
    204,
    "A Xiaomi representative emphasized that the company does not sell its products and services in "
    "the US and is not negotiating entering this market.",
    orgs=["Xiaomi"],
)
TARIFF_002 = _claim(
    205,
    "Additionally, the US has imposed a 100% tariff on Chinese electric vehicles, temporarily increased "
    "to 145% under Trump.",
    people=["Trump"], numbers=[_num("100%", 100.0, "%"), _num("145%", 145.0, "%")],
    kinds=("statistic", "policy"),
)
FARLEY_IMPORT_002 = _claim(
    206,
    "In 2024, he mentioned that he imported an SU7 to the US for personal use and did not want to part "
    "with it, also calling Chinese car manufacturers an existential threat to the global industry.",
    dates=[_year("2024", 2024)],
)
PICKUP_PRICE_002 = _claim(
    207,
    "In 2025, the company introduced a new EV platform and announced the first production electric "
    "vehicle based on it—a mid-size pickup truck with a target price of around $30,000.",
    numbers=[_num("$30,000", 30000.0, "USD")], dates=[_year("2025", 2025)], kinds=("statistic",),
)
BYD_002 = _claim(
    208,
    "The article, citing four sources, also said that Ford allegedly held similar talks with BYD and "
    "other Chinese car manufacturers.",
    orgs=["Ford", "BYD"], numbers=[FOUR_SOURCES],
)
SOFTWARE_RULES_002 = _claim(
    209,
    "Under the Biden administration, rules were approved that effectively prohibit the use of "
    "China-related automotive software and equipment starting in 2027.",
    orgs=["Biden administration"], dates=[_year("2027", 2027)], kinds=("policy",),
)

# --- 003 -------------------------------------------------------------------------------------
BOTH_DENY_TITLE_003 = _claim(
    301,
    "Ford and Xiaomi Deny Joint Venture Talks Amid CEO's Mixed Signals on Chinese EV Rivals",
    orgs=["Ford", "Xiaomi"],
)
FORD_DENIED_003 = _claim(
    302,
    "\"This story is completely false. There is no truth to it,\" a Ford spokesperson told the FT.",
    orgs=["Ford", "FT"],
    quotes=[{"text": "This story is completely false. There is no truth to it,",
             "speaker": "a Ford spokesperson"}],
    kinds=("quote",),
)
XIAOMI_ECHOED_003 = _claim(
    303,
    "Xiaomi echoed the denial, stating it has not engaged in any negotiations with Ford and does not "
    "currently sell products or services in the United States.",
    orgs=["Xiaomi", "Ford"],
)
MOOLENAAR_003 = _claim(
    304,
    "Rep. John Moolenaar (R-Mich.), chair of the House Select Committee on the Chinese Communist Party, "
    "preemptively criticized the notion of such a partnership, warning it would \"deepen U.S. "
    "dependence\" on China for critical automotive technology and supply chains.",
    people=["John Moolenaar"], orgs=["House Select Committee on the Chinese Communist Party"],
    quotes=[{"text": "deepen U.S. dependence", "speaker": "John Moolenaar"}],
)
CATL_LICENSING_003 = _claim(
    305,
    "The Pentagon has previously raised concerns over Ford's existing licensing agreement with Chinese "
    "battery giant CATL, alleging potential military links—a claim CATL denies.",
    orgs=["Pentagon", "Ford", "CATL"],
)
FARLEY_IMPORT_003 = _claim(
    306,
    "Farley has personally imported a Xiaomi SU7 electric sedan for evaluation, publicly praising its "
    "design and technology.",
    people=["Farley"], orgs=["Xiaomi"],
)
BYD_BATTERIES_003 = _claim(
    307,
    "Separately, Ford is exploring a deal to source batteries for some hybrid models from China's BYD.",
    orgs=["Ford", "BYD"],
)
BOTH_DENY_FT_003 = _claim(
    308,
    "Ford Motor Co. (NYSE:F) and China's consumer electronics powerhouse Xiaomi have issued formal "
    "denials following a report by the Financial Times suggesting the two companies held early-stage "
    "talks over a potential electric vehicle joint venture aimed at the U.S. market.",
    orgs=["Ford Motor Co.", "Xiaomi", "Financial Times"],
)

# --- 004 -------------------------------------------------------------------------------------
TALKS_TITLE_004 = _claim(
    401,
    "FT correspondent: Ford ‘held talks with China’s Xiaomi' on US electric vehicle joint venture",
    orgs=["FT", "Ford", "Xiaomi"],
)
TALKS_004 = _claim(
    402,
    "Demetri Sevastopulo, US-China correspondent for the Financial Times, said Ford has held "
    "preliminary talks with Chinese company Xiaomi about a joint venture to build electric vehicles in "
    "the US, a move that could give Chinese automakers greater access to the US market amid ongoing "
    "supply chain dependencies.",
    people=["Demetri Sevastopulo"], orgs=["Financial Times", "Ford", "Xiaomi"],
)
TARIFF_004 = _claim(
    403,
    "According to the Select Committee on China, current US tariffs of 100 percent on Chinese-built "
    "vehicles effectively block direct imports.",
    orgs=["Select Committee on China"], numbers=[_num("100 percent", 100.0, "%")],
    kinds=("statistic", "policy"),
)
CATL_DESIGNATION_004 = _claim(
    404,
    "The Pentagon has designated Contemporary Amperex Technology Co., Limited (CATL) as a Chinese "
    "military company, restricting it from certain US contracts due to alleged connections.",
    orgs=["Pentagon", "Contemporary Amperex Technology Co., Limited", "CATL"],
)
IEA_LITHIUM_004 = _claim(
    405,
    "The International Energy Agency reports that China controls over 80 percent of global "
    "lithium-ion battery production capacity, with CATL accounting for one-third of the market share.",
    orgs=["International Energy Agency", "CATL"],
    numbers=[_num("80 percent", 80.0, "%"), _num("one-third", 1 / 3, "fraction")],
    kinds=("statistic",),
)
COMMERCE_BAN_004 = _claim(
    406,
    "In 2024, the Commerce Department banned connected vehicles from Chinese manufacturers due to data "
    "security risks, impacting potential entries by companies like Xiaomi.",
    orgs=["Commerce Department", "Xiaomi"], dates=[_year("2024", 2024)], kinds=("policy",),
)
FOUR_INDIVIDUALS_004 = _claim(
    407,
    "The report was initially published in a Financial Times article and shared by Sevastopulo on X, "
    "citing four individuals familiar with the discussions between Ford and Xiaomi.",
    people=["Sevastopulo"], orgs=["Financial Times", "X", "Ford", "Xiaomi"], numbers=[FOUR_SOURCES],
)
TAX_CREDITS_004 = _claim(
    408,
    "Additionally, the House Select Committee on China has questioned Ford's eligibility for 45X tax "
    "credits because of its partnership with this foreign entity.",
    orgs=["House Select Committee on China", "Ford"],
)

ALL_CLAIMS: list[ClaimInfo] = [v for k, v in sorted(globals().items()) if isinstance(v, ClaimInfo)]
ALL_CLAIMS.sort(key=lambda c: c.id)

FORD_DENIALS = [FORD_DENIED_000, FORD_DENIED_001, FORD_DENIED_002, FORD_DENIED_003]
TARIFF_CLAIMS = [TARIFF_000, TARIFF_002, TARIFF_004]
# Said by one outlet only, about nothing another outlet says.
UNRELATED = [IEA_LITHIUM_004, PICKUP_PRICE_002, CATL_DESIGNATION_004]
