"""Country of origin: ISO 3166-1 alpha-2 codes, and the names and alpha-3 codes ERPs often export instead."""

from __future__ import annotations

_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO
    JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR
    MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO
    RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV
    TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
ISO_ALPHA2 = frozenset(_CODES.split())

NAMES: dict[str, str] = {
    "united states": "US", "united states of america": "US", "usa": "US", "u s": "US", "u s a": "US",
    "taiwan": "TW", "taiwan roc": "TW", "republic of china": "TW", "taiwan province of china": "TW", "twn": "TW",
    "china": "CN", "prc": "CN", "people s republic of china": "CN", "mainland china": "CN", "chn": "CN",
    "mexico": "MX", "mex": "MX",
    "korea": "KR", "south korea": "KR", "republic of korea": "KR", "korea republic of": "KR", "kor": "KR",
    "japan": "JP", "jpn": "JP", "malaysia": "MY", "mys": "MY", "vietnam": "VN", "viet nam": "VN", "vnm": "VN",
    "thailand": "TH", "tha": "TH", "singapore": "SG", "sgp": "SG", "india": "IN", "ind": "IN",
    "philippines": "PH", "phl": "PH", "indonesia": "ID", "idn": "ID", "hong kong": "HK", "hkg": "HK",
    "israel": "IL", "isr": "IL", "canada": "CA", "can": "CA", "brazil": "BR", "bra": "BR",
    "germany": "DE", "deu": "DE", "netherlands": "NL", "the netherlands": "NL", "nld": "NL",
    "ireland": "IE", "irl": "IE", "united kingdom": "GB", "uk": "GB", "great britain": "GB", "gbr": "GB",
    "france": "FR", "fra": "FR", "italy": "IT", "ita": "IT", "spain": "ES", "esp": "ES", "sweden": "SE",
    "swe": "SE", "finland": "FI", "fin": "FI", "switzerland": "CH", "che": "CH", "austria": "AT", "aut": "AT",
    "czech republic": "CZ", "czechia": "CZ", "cze": "CZ", "hungary": "HU", "hun": "HU", "poland": "PL",
    "pol": "PL", "romania": "RO", "rou": "RO", "costa rica": "CR", "cri": "CR",
}  # fmt: skip
