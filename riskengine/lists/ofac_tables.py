"""Lookup tables for the OFAC readers: every source quirk the mapping relies on lives here.

Facts about the formats come from OFAC's public file descriptions (the legacy "dat/csv" SDN
format, the sdnList XML schema) and from inspecting the published files themselves.
"""

from __future__ import annotations

from typing import Final

from riskengine.domain import EntityKind, Measure

# Legacy CSV layout: expected field count per companion file kind (no header row in any file).
CSV_FIELDS: Final[dict[str, int]] = {"prim": 12, "add": 6, "alt": 5, "comments": 2}

# File names per list and file kind. OFAC has published both lower- and upper-case names
# (sdn.csv / SDN.CSV); matching is case-insensitive.
CSV_FILES: Final[dict[str, dict[str, str]]] = {
    "sdn": {"prim": "sdn.csv", "add": "add.csv", "alt": "alt.csv", "comments": "sdn_comments.csv"},
    "cons": {
        "prim": "cons_prim.csv",
        "add": "cons_add.csv",
        "alt": "cons_alt.csv",
        "comments": "cons_comments.csv",
    },
}
XML_FILES: Final[dict[str, tuple[str, ...]]] = {
    "sdn": ("sdn.xml",),
    "cons": ("consolidated.xml", "cons.xml"),
}

# The legacy CSV writes a null field as "-0-", usually followed by one space.
NULL_TOKENS: Final[frozenset[str]] = frozenset({"-0-"})
# DOS end-of-file marker the legacy files end with.
EOF_BYTE: Final[str] = "\x1a"

# SDN_Type (CSV, lower case) / sdnType (XML) -> entity kind. CSV writes entities as null.
KINDS: Final[dict[str | None, EntityKind]] = {
    None: "company",
    "entity": "company",
    "individual": "person",
    "vessel": "vessel",
    "aircraft": "unknown",  # the domain model has no aircraft kind
}

# Program tags that put a record on a non-SDN list whichever file it appears in:
# list name, measure.
NON_SDN_PROGRAMS: Final[dict[str, tuple[str, Measure]]] = {
    # Non-SDN Chinese Military-Industrial Complex Companies List (EO 13959 as amended by
    # EO 14032): securities purchase ban, no blocking.
    "CMIC-EO13959": ("CMIC", "other"),
    # Non-SDN Palestinian Legislative Council List: PLC members elected on a party slate of a
    # designated terrorist group; transactions need a licence, property is not blocked.
    "NS-PLC": ("PLC", "other"),
    # Part 561 List, since 2017 the CAPTA List (correspondent / payable-through account bans
    # on foreign financial institutions, 31 CFR 561.201).
    "561-Related": ("CAPTA", "other"),
    # Foreign Sanctions Evaders List (EO 13608): transaction bans on evaders, no blocking.
    "FSE-IR": ("FSE", "other"),
    "FSE-SY": ("FSE", "other"),
    "FSE-WMD": ("FSE", "other"),
    "FSE-SDGT": ("FSE", "other"),
}

# Program tags that, in the consolidated (non-SDN) file, name a sub-list. The same tags in
# sdn.csv / sdn.xml are blocking SDN designations under that authority.
CONS_PROGRAMS: Final[dict[str, tuple[str, Measure]]] = {
    # Sectoral Sanctions Identifications List: EO 13662 Directives 1-4 (debt, equity,
    # deep-water / Arctic / shale oil projects). Restrictions on named dealings only.
    "UKRAINE-EO13662": ("SSI", "sectoral"),
    # Non-SDN Menu-Based Sanctions List: EO 14024 Directives (new debt/equity, sovereign debt,
    # central bank transactions).
    "RUSSIA-EO14024": ("NS-MBS", "sectoral"),
    # NS-MBS: CAATSA section 235 menu of sanctions selected for the person.
    "CAATSA - RUSSIA": ("NS-MBS", "sectoral"),
    # NS-MBS: EO 14014 Directive 1 (financial services to Myanma Oil and Gas Enterprise).
    "BURMA-EO14014": ("NS-MBS", "sectoral"),
    # NS-MBS: EO 14059 section 2 menu (e.g. foreign-exchange prohibition).
    "ILLICIT-DRUGS-EO14059": ("NS-MBS", "sectoral"),
    # NS-MBS: EO 13949 conventional-arms menu measures.
    "IRAN-CON-ARMS-EO": ("NS-MBS", "sectoral"),
}
# Any other program in the consolidated file (e.g. SDGT, VENEZUELA-EO13850 co-listed with a
# non-SDN tag) is recorded under the generic list name: the SDN file is the authority for a
# blocking SDN designation, so the consolidated reader does not claim one.
CONS_DEFAULT: Final[tuple[str, Measure]] = ("CONS", "other")
SDN_DEFAULT: Final[tuple[str, Measure]] = ("SDN", "asset_freeze")

# Remark / idList labels -> identifier scheme before country refinement. Matched longest
# first at the start of a "; "-separated remark item, after an optional "alt. " prefix.
ID_LABELS: Final[dict[str, str]] = {
    "Tax ID No.": "tax",
    "Registration Number": "registration",
    "Registration ID": "registration",
    "Business Registration Number": "registration",
    "Public Registration Number": "registration",
    "Commercial Registry Number": "registration",
    "Chamber of Commerce Number": "registration",
    "Company Number": "registration",
    "UK Company Number": "registration",
    "Government Gazette Number": "gazette",  # for Russian records this is the OKPO code
    "SWIFT/BIC": "swift",
    "BIK (RU)": "bik",
    "Legal Entity Number": "lei",
    "LEI": "lei",
    "Unified Social Credit Code (USCC)": "uscc",
    "Vessel Registration Identification IMO": "imo",
    "IMO": "imo",
    "IMO Number": "imo",
    # IMO unique company and registered-owner numbers: a different number space from ships.
    "Company Number IMO": "imo_company",
    "Identification Number IMO": "imo_company",
    "MMSI": "mmsi",
    "Passport": "passport",
    "National ID No.": "national_id",
    "D-U-N-S Number": "duns",
    "V.A.T. Number": "vat",
}

# (scheme, ISO country) -> national scheme name.
NATIONAL_SCHEMES: Final[dict[tuple[str, str], str]] = {
    ("tax", "ru"): "inn",  # ИНН
    ("registration", "ru"): "ogrn",  # ОГРН (ОГРНИП for sole traders)
    ("gazette", "ru"): "okpo",  # ОКПО
    ("tax", "by"): "unp",  # Belarus УНП
}

# OFAC country names (addresses, idCountry, remark parentheses) -> ISO 3166-1 alpha-2.
# Unlisted names (e.g. "undetermined", "Region: Kafia Kingi", the dissolved "Netherlands
# Antilles") map to None.
# fmt: off
COUNTRIES: Final[dict[str, str]] = {
    "Afghanistan": "af", "Albania": "al", "Algeria": "dz", "Andorra": "ad", "Angola": "ao",
    "Antigua and Barbuda": "ag", "Argentina": "ar", "Armenia": "am", "Aruba": "aw",
    "Australia": "au", "Austria": "at", "Azerbaijan": "az", "Bahamas, The": "bs",
    "Bahrain": "bh", "Bangladesh": "bd", "Barbados": "bb", "Belarus": "by", "Belgium": "be",
    "Belize": "bz", "Benin": "bj", "Bermuda": "bm", "Bhutan": "bt", "Bolivia": "bo",
    "Bosnia and Herzegovina": "ba", "Botswana": "bw", "Brazil": "br", "Brunei": "bn",
    "Bulgaria": "bg", "Burkina Faso": "bf", "Burma": "mm", "Burundi": "bi", "Cabo Verde": "cv",
    "Cambodia": "kh", "Cameroon": "cm", "Canada": "ca", "Cayman Islands": "ky",
    "Central African Republic": "cf", "Chad": "td", "Chile": "cl", "China": "cn",
    "Colombia": "co", "Comoros": "km", "Congo, Democratic Republic of the": "cd",
    "Congo, Republic of the": "cg", "Costa Rica": "cr", "Cote d Ivoire": "ci",
    "Croatia": "hr", "Cuba": "cu", "Curacao": "cw", "Cyprus": "cy", "Czech Republic": "cz",
    "Czechia": "cz", "Denmark": "dk", "Djibouti": "dj", "Dominica": "dm",
    "Dominican Republic": "do", "Ecuador": "ec", "Egypt": "eg", "El Salvador": "sv",
    "Equatorial Guinea": "gq", "Eritrea": "er", "Estonia": "ee", "Eswatini": "sz",
    "Ethiopia": "et", "Fiji": "fj", "Finland": "fi", "France": "fr", "Gabon": "ga",
    "Georgia": "ge", "Germany": "de", "Ghana": "gh", "Gibraltar": "gi", "Greece": "gr",
    "Grenada": "gd", "Guatemala": "gt", "Guernsey": "gg", "Guinea": "gn",
    "Guinea-Bissau": "gw", "Guyana": "gy", "Haiti": "ht", "Honduras": "hn",
    "Hong Kong": "hk", "Hungary": "hu", "Iceland": "is", "India": "in", "Indonesia": "id",
    "Iran": "ir", "Iraq": "iq", "Ireland": "ie", "Israel": "il", "Italy": "it",
    "Jamaica": "jm", "Japan": "jp", "Jersey": "je", "Jordan": "jo", "Kazakhstan": "kz",
    "Kenya": "ke", "Korea, North": "kp", "Korea, South": "kr",
    "Kosovo": "xk",  # user-assigned code, the one in common use (EU, SWIFT)
    "Kuwait": "kw", "Kyrgyzstan": "kg", "Laos": "la", "Latvia": "lv", "Lebanon": "lb",
    "Lesotho": "ls", "Liberia": "lr", "Libya": "ly", "Liechtenstein": "li",
    "Lithuania": "lt", "Luxembourg": "lu", "Macau": "mo", "Madagascar": "mg", "Malawi": "mw",
    "Malaysia": "my", "Maldives": "mv", "Mali": "ml", "Malta": "mt", "Man, Isle of": "im",
    "Marshall Islands": "mh", "Mauritania": "mr", "Mauritius": "mu", "Mexico": "mx",
    "Moldova": "md", "Monaco": "mc", "Mongolia": "mn", "Montenegro": "me", "Morocco": "ma",
    "Mozambique": "mz", "Namibia": "na", "Nepal": "np", "Netherlands": "nl",
    "New Zealand": "nz", "Nicaragua": "ni", "Niger": "ne",
    "Nigeria": "ng", "North Macedonia, The Republic of": "mk", "Norway": "no", "Oman": "om",
    "Pakistan": "pk", "Palau": "pw", "Palestinian": "ps", "Panama": "pa",
    "Papua New Guinea": "pg", "Paraguay": "py", "Peru": "pe", "Philippines": "ph",
    "Poland": "pl", "Portugal": "pt", "Qatar": "qa", "Romania": "ro", "Russia": "ru",
    "Rwanda": "rw", "Saint Kitts and Nevis": "kn", "Saint Lucia": "lc",
    "Saint Vincent and the Grenadines": "vc", "Samoa": "ws", "San Marino": "sm",
    "Saudi Arabia": "sa", "Senegal": "sn", "Serbia": "rs", "Seychelles": "sc",
    "Sierra Leone": "sl", "Singapore": "sg", "Slovakia": "sk", "Slovenia": "si",
    "Somalia": "so", "South Africa": "za", "South Sudan": "ss", "Spain": "es",
    "Sri Lanka": "lk", "Sudan": "sd", "Suriname": "sr", "Sweden": "se", "Switzerland": "ch",
    "Syria": "sy", "Taiwan": "tw", "Tajikistan": "tj", "Tanzania": "tz", "Thailand": "th",
    "The Gambia": "gm", "Togo": "tg", "Trinidad and Tobago": "tt", "Tunisia": "tn",
    "Turkey": "tr", "Turkmenistan": "tm", "Uganda": "ug", "Ukraine": "ua",
    "United Arab Emirates": "ae", "United Kingdom": "gb", "United States": "us",
    "Uruguay": "uy", "Uzbekistan": "uz", "Vanuatu": "vu", "Venezuela": "ve", "Vietnam": "vn",
    "Virgin Islands, British": "vg", "West Bank": "ps", "Yemen": "ye", "Zambia": "zm",
    "Zimbabwe": "zw",
    # "Region:" entries: sub-national areas, mapped to the recognised state where there is one.
    "Region: Crimea": "ua",
    "Region: Gaza": "ps",
    "Region: North Gaza": "ps",
    "Region: Northern Gaza": "ps",
    "Region: West Bank": "ps",
    "Region: Northern Mali": "ml",
    "Region: Russia": "ru",
}
# fmt: on
