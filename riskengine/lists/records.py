"""Reference tables and small helpers shared by the ``uk``, ``eu``, ``un`` and ``ca`` readers.

* ``country_code`` / ``first_country``: a country name as the lists spell it -> ISO 3166-1
  alpha-2, lower case.
* ``refine_scheme``: generic identifier schemes -> specific ones (a Russian 13-digit
  registration number is an OGRN, a 10- or 12-digit tax number an INN); ``reg_numbers``:
  identifiers in free-text registration fields ('Tax ID No. 7718989383 (Russia)').
* ``name_key``: the normalised form used to resolve names within one list edition.
* ``ListRecord`` and ``build``: the common "map" step, one record -> Entity + Designations.
* ``FileMeta`` and ``list_files``: the files a reader was pointed at, with their hashes.
* ``Notes`` and ``assemble``: warnings, and the final ListEdition.

Pure: no I/O apart from reading the files handed in.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lxml import etree

from riskengine.domain import (
    Control,
    Dataset,
    Designation,
    Entity,
    EntityKind,
    Identifier,
    Measure,
    Ownership,
    Source,
)
from riskengine.errors import InputError
from riskengine.lists.base import ListEdition, sha256_files

# Entries separated by '|': ISO 3166-1 alpha-2 code, then the names and variants the lists
# use, separated by ';'.
# Accents, case and punctuation are ignored when looking names up.
_COUNTRY_TABLE = """
af Afghanistan | ax Aland Islands | al Albania | dz Algeria | as American Samoa | ad Andorra
ao Angola | ai Anguilla | aq Antarctica | ag Antigua and Barbuda | ar Argentina | am Armenia
aw Aruba | au Australia | at Austria | az Azerbaijan | bs Bahamas | bh Bahrain | bd Bangladesh
bb Barbados | by Belarus | be Belgium | bz Belize | bj Benin | bm Bermuda | bt Bhutan
bo Bolivia; Bolivia (Plurinational State of) | bq Bonaire, Sint Eustatius and Saba
ba Bosnia and Herzegovina; Bosnia-Herzegovina | bw Botswana | bv Bouvet Island | br Brazil
io British Indian Ocean Territory | vg British Virgin Islands; Virgin Islands (British)
bn Brunei; Brunei Darussalam | bg Bulgaria | bf Burkina Faso | bi Burundi
cv Cabo Verde; Cape Verde | kh Cambodia | cm Cameroon | ca Canada | ky Cayman Islands
cf Central African Republic; CAR | td Chad | cl Chile
cn China; People's Republic of China; PRC | cx Christmas Island | cc Cocos (Keeling) Islands
co Colombia | km Comoros | cg Congo; Republic of the Congo; Congo (Republic)
cd Democratic Republic of the Congo; Congo (Democratic Republic); DRC; DR Congo
ck Cook Islands | cr Costa Rica | ci Cote d'Ivoire; Ivory Coast | hr Croatia | cu Cuba
cw Curacao | cy Cyprus | cz Czechia; Czech Republic | dk Denmark | dj Djibouti | dm Dominica
do Dominican Republic | ec Ecuador | eg Egypt | sv El Salvador | gq Equatorial Guinea
er Eritrea | ee Estonia | sz Eswatini; Swaziland | et Ethiopia | fk Falkland Islands
fo Faroe Islands | fj Fiji | fi Finland | fr France | gf French Guiana | pf French Polynesia
tf French Southern Territories | ga Gabon | gm Gambia; The Gambia | ge Georgia | de Germany
gh Ghana | gi Gibraltar | gr Greece | gl Greenland | gd Grenada | gp Guadeloupe | gu Guam
gt Guatemala | gg Guernsey | gn Guinea | gw Guinea-Bissau | gy Guyana | ht Haiti
hm Heard Island and McDonald Islands | va Holy See; Vatican City | hn Honduras
hk Hong Kong; China, Hong Kong Special Administrative Region | hu Hungary | is Iceland
in India | id Indonesia | ir Iran; Iran (Islamic Republic of); Islamic Republic of Iran
iq Iraq | ie Ireland | im Isle of Man | il Israel | it Italy | jm Jamaica | jp Japan | je Jersey
jo Jordan | kz Kazakhstan | ke Kenya | ki Kiribati
kp North Korea; Democratic People's Republic of Korea; DPRK; Korea, North
kr South Korea; Republic of Korea; Korea, South | xk Kosovo | kw Kuwait | kg Kyrgyzstan
la Laos; Lao People's Democratic Republic | lv Latvia | lb Lebanon | ls Lesotho | lr Liberia
ly Libya | li Liechtenstein | lt Lithuania | lu Luxembourg | mo Macao; Macau | mg Madagascar
mw Malawi | my Malaysia | mv Maldives | ml Mali | mt Malta | mh Marshall Islands | mq Martinique
mr Mauritania | mu Mauritius | yt Mayotte | mx Mexico
fm Micronesia; Micronesia (Federated States of) | md Moldova; Republic of Moldova | mc Monaco
mn Mongolia | me Montenegro | ms Montserrat | ma Morocco | mz Mozambique
mm Myanmar; Burma; Myanmar (Burma) | na Namibia | nr Nauru | np Nepal | nl Netherlands
nc New Caledonia | nz New Zealand | ni Nicaragua | ne Niger | ng Nigeria | nu Niue
nf Norfolk Island | mk North Macedonia; Macedonia | mp Northern Mariana Islands | no Norway
om Oman | pk Pakistan | pw Palau
ps Palestine; Palestinian; State of Palestine; Occupied Palestinian Territories
ps Palestinian Territories; Gaza
pa Panama | pg Papua New Guinea | py Paraguay | pe Peru | ph Philippines | pn Pitcairn
pl Poland | pt Portugal | pr Puerto Rico | qa Qatar | re Reunion | ro Romania
ru Russia; Russian Federation | rw Rwanda | bl Saint Barthelemy | sh Saint Helena
kn Saint Kitts and Nevis | lc Saint Lucia | mf Saint Martin | pm Saint Pierre and Miquelon
vc Saint Vincent and the Grenadines | ws Samoa | sm San Marino | st Sao Tome and Principe
sa Saudi Arabia | sn Senegal | rs Serbia | sc Seychelles | sl Sierra Leone | sg Singapore
sx Sint Maarten | sk Slovakia | si Slovenia | sb Solomon Islands | so Somalia | za South Africa
gs South Georgia and the South Sandwich Islands | ss South Sudan | es Spain | lk Sri Lanka
sd Sudan | sr Suriname | sj Svalbard and Jan Mayen | se Sweden | ch Switzerland
sy Syria; Syrian Arab Republic | tw Taiwan | tj Tajikistan
tz Tanzania; United Republic of Tanzania | th Thailand | tl Timor-Leste; East Timor | tg Togo
tk Tokelau | to Tonga | tt Trinidad and Tobago | tn Tunisia | tr Turkiye; Turkey
tm Turkmenistan | tc Turks and Caicos Islands | tv Tuvalu | ug Uganda | ua Ukraine
ae United Arab Emirates; UAE
gb United Kingdom; United Kingdom of Great Britain and Northern Ireland; UK; Great Britain
us United States; United States of America; USA | um United States Minor Outlying Islands
uy Uruguay | uz Uzbekistan | vu Vanuatu | ve Venezuela; Venezuela (Bolivarian Republic of)
vn Viet Nam; Vietnam | vi Virgin Islands (U.S.); US Virgin Islands | wf Wallis and Futuna
eh Western Sahara | ye Yemen | zm Zambia | zw Zimbabwe
"""

# (generic scheme, digit count) -> specific Russian scheme, for numbers issued in Russia.
_RU_SCHEMES = {
    ("tax", 10): "inn",
    ("tax", 12): "inn",
    ("registration", 13): "ogrn",
    ("registration", 15): "ogrn",
    # OFSI's 'Business Reg No' often holds the INN: 10 digits (12 for a sole trader) is an
    # INN's shape (an OGRN has 13 or 15, a KPP 9, a company's OKPO 8)
    ("registration", 10): "inn",
    ("registration", 12): "inn",
}

# Label in a free-text registration field -> (generic scheme, country the label implies).
_REG_LABELS = (
    (re.compile(r"\b(?:OGRN|PSRN)\b|ОГРН", re.I), "registration", "ru"),
    (re.compile(r"\bINN\b|ИНН", re.I), "tax", "ru"),
    (re.compile(r"\bKPP\b", re.I), "kpp", "ru"),
    (re.compile(r"\bBIK\b", re.I), "bik", "ru"),
    (re.compile(r"\bLEI\b|legal entity (?:number|identifier)", re.I), "lei", None),
    (re.compile(r"\bTIN\b|\btax\b|УНН", re.I), "tax", None),
    (re.compile(r"\bBIN\b", re.I), "bin", None),
    (re.compile(r"\bIMO\b", re.I), "imo", None),
)
_NUMBERED = re.compile(r"\(\d{1,2}\)|;|\s{2,}")  # '(1) a (2) b', 'a; b', 'a  b'
_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9-]*\d[A-Z0-9-]*", re.I)
_COUNTRY_WORDS = {"russian": "ru", "belarusian": "by", "chinese": "cn", "iranian": "ir"}


def name_key(text: str) -> str:
    """Case-, accent- and punctuation-free form of a name, for exact matching within a list."""
    decomposed = unicodedata.normalize("NFKD", text.replace("&", " and "))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]+", " ", bare.casefold()).split())


def _country_index() -> dict[str, str]:
    """name_key of every name in the table -> ISO code."""
    index: dict[str, str] = {}
    for entry in _COUNTRY_TABLE.replace("\n", "|").split("|"):
        if not entry.strip():
            continue
        code, names = entry.strip().split(" ", 1)
        for name in names.split(";"):
            index[name_key(name)] = code
    return index


_COUNTRIES = _country_index()


def country_code(name: str | None) -> str | None:
    """ISO alpha-2 code (lower case) for a country name; None when not recognised.

    Tries the whole text, then without a trailing '(...)' note ('Iraq (previous address)'),
    then the part before ' / ' (Canada's bilingual 'Russia / Russie').
    """
    if not name or not name.strip():
        return None
    for candidate in (name, re.sub(r"\s*\([^)]*\)\s*$", "", name), name.split(" / ")[0]):
        code = _COUNTRIES.get(name_key(candidate))
        if code:
            return code
    return None


def line_of(node: etree._Element) -> int | None:
    """Source line of an XML element (lxml gives None when unknown)."""
    line = node.sourceline
    return line if isinstance(line, int) else None


def first_country(texts: Iterable[str | None], record_id: str, notes: Notes) -> str | None:
    """First recognised country among ``texts`` ('(1) Germany. (2) Morocco' -> 'de').

    Names tried before it that are not recognised are noted.
    """
    for name in (part for text in texts for part in numbered(text or "")):
        code = country_code(name)
        if code:
            return code
        notes.add("country names not recognised", f"{record_id} {name!r}")
    return None


def country_codes(texts: Iterable[str | None]) -> tuple[str, ...]:
    """Every recognised country among ``texts`` ('(1) Syria. (2) Yemen' -> sy, ye), no repeats."""
    codes = (country_code(part) for text in texts for part in numbered(text or ""))
    return tuple(dict.fromkeys(c for c in codes if c))


def iso2(code: str | None) -> str | None:
    """A two-letter country code as lists write it ('RU', '00' = unknown) -> 'ru' or None."""
    text = (code or "").strip()
    return text.lower() if len(text) == 2 and text.isalpha() else None


def refine_scheme(scheme: str, value: str, country: str | None) -> str:
    """Specific scheme for a generic one where the number's shape tells (Russian INN/OGRN)."""
    if country == "ru" and value.isdigit():
        return _RU_SCHEMES.get((scheme, len(value)), scheme)
    return scheme


def identifier(scheme: str, value: str, country: str | None = None) -> Identifier:
    """An Identifier with the scheme refined and the value stripped of spaces."""
    compact = "".join(value.split())
    scheme = refine_scheme(scheme, compact, country)
    return Identifier(scheme=scheme, value=compact, country=country)


def numbered(text: str) -> list[str]:
    """'(1) a (2) b', 'a; b' or 'a  b' -> ['a', 'b']."""
    return [p.strip(" ,.") for p in _NUMBERED.split(text or "") if p.strip(" ,.")]


def reg_numbers(text: str, country: str | None = None) -> list[Identifier]:
    """Identifiers in a free-text registration field.

    'Tax ID No. 7718989383 (Russia); Registration Number 1147746803049 (Russia)' gives an INN
    and an OGRN. Items are split on '(1)', ';' or double spaces; the label picks the scheme
    (unlabelled numbers are registrations), a country named in the item (else ``country``)
    refines it.
    """
    out: list[Identifier] = []
    for item in _NUMBERED.split(text or ""):
        labels = ((s, c) for pattern, s, c in _REG_LABELS if pattern.search(item))
        scheme, implied = next(labels, ("registration", None))
        where = _item_country(item) or implied or country
        out += [identifier(scheme, n, where) for n in _NUMBER.findall(item) if _is_number(n)]
    return out


def _item_country(item: str) -> str | None:
    """A country named in brackets or as an adjective ('Russian TIN')."""
    for note in re.findall(r"\(([^)]+)\)", item):
        if country_code(note):
            return country_code(note)
    words = (_COUNTRY_WORDS.get(w.lower()) or country_code(w) for w in re.findall(r"\w+", item))
    return next(filter(None, words), None)


def _is_number(token: str) -> bool:
    """At least four digits and five characters: a number, not a label."""
    return len(token) >= 5 and sum(ch.isdigit() for ch in token) >= 4


def unique(items: Iterable[str]) -> list[str]:
    """Items in first-seen order, without blanks and without repeats of the same name_key."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        key = name_key(item)
        if key and key not in seen:
            seen.add(key)
            out.append(" ".join(item.split()))
    return out


def slug(text: str) -> str:
    """Lower-case ASCII-ish id fragment: 'Russia, Schedule 1' -> 'russia-schedule-1'."""
    return "-".join(name_key(text).split())


@dataclass(frozen=True)
class FileMeta:
    """One file read: its name (as cited), sha256 and the edition date it carries."""

    path: Path
    sha256: str
    published: date | None = None

    @property
    def name(self) -> str:
        """File name, as sources cite it."""
        return self.path.name

    def source(self, key: str, record_id: str, line: int | None) -> Source:
        """Source of a fact read from this file."""
        return Source(
            source=key, record_id=record_id, file=self.name, line=line,
            published=self.published, content_hash=self.sha256,
        )


def file_meta(path: Path) -> FileMeta:
    """Hash a file (published is filled in by the reader once it knows the date)."""
    try:
        return FileMeta(path=path, sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror}") from exc


def list_files(path: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """The file itself, or the files in a directory with one of ``suffixes``, in name order."""
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in suffixes)
        if not found:
            raise InputError(str(path), f"no {'/'.join(suffixes)} files in this directory")
        return found
    if not path.is_file():
        raise InputError(str(path), "no such file or directory")
    if len(suffixes) > 1 and path.suffix.lower() not in suffixes:  # the name picks the format
        raise InputError(str(path), f"unknown file type {path.suffix or '(no extension)'}: "
                                    f"expected a {'/'.join(suffixes)} file")
    return [path]


@dataclass(frozen=True)
class Listing:
    """One designation of a record: program, first day in force, measure (and list name when
    it is not the publisher's usual one)."""

    program: str | None
    listed_from: date | None
    measure: Measure = "asset_freeze"
    list_name: str | None = None


@dataclass
class ListRecord:
    """A list entry after reading, before it becomes an Entity and its Designations."""

    record_id: str
    kind: EntityKind
    names: list[str]  # primary name first
    source: Source
    country: str | None = None
    identifiers: list[Identifier] = field(default_factory=list)
    listings: list[Listing] = field(default_factory=list)
    birth_dates: tuple[str, ...] = ()  # (partial) ISO dates, see ``lists.births``
    nationalities: tuple[str, ...] = ()  # ISO alpha-2, lower case
    weak_names: list[str] = field(default_factory=list)  # the list's weak / low-quality aliases


@dataclass(frozen=True)
class Publisher:
    """Who publishes a list: goes on every Designation."""

    source: str
    regime: str
    authority: str
    list_name: str


def build(pub: Publisher, rec: ListRecord) -> tuple[Entity, list[Designation]]:
    """Entity and Designations of one record. Ids: f'{source}:{record_id}', '/<program slug>'."""
    names = unique(rec.names)
    if not names:
        raise InputError(f"{rec.source.file}: record {rec.record_id}", "entry has no name")
    entity = Entity(
        id=f"{pub.source}:{rec.record_id}", kind=rec.kind, name=names[0],
        aliases=tuple(names[1:]), country=rec.country,
        identifiers=tuple(dict.fromkeys(rec.identifiers)), sources=(rec.source,),
        birth_dates=rec.birth_dates, nationalities=tuple(dict.fromkeys(rec.nationalities)),
        weak_aliases=tuple(unique([*names, *rec.weak_names])[len(names):]),
    )
    return entity, [_designation(pub, entity.id, rec.source, item) for item in rec.listings]


def _designation(pub: Publisher, entity_id: str, source: Source, item: Listing) -> Designation:
    """One Designation; its id ends with the program's slug ('listing' when there is none)."""
    return Designation(
        id=f"{entity_id}/{slug(item.program or '') or 'listing'}", entity_id=entity_id,
        regime=pub.regime, authority=pub.authority, program=item.program,
        list_name=item.list_name or pub.list_name, measure=item.measure,
        listed_from=item.listed_from, source=source,
    )


@dataclass
class Notes:
    """Warnings gathered while reading: a message, how often, and a few examples."""

    seen: dict[str, list[str]] = field(default_factory=dict)

    def add(self, message: str, example: str = "") -> None:
        """Count ``message`` once more, with an optional example."""
        self.seen.setdefault(message, []).append(example)

    def lines(self) -> tuple[str, ...]:
        """'<count> <message> (e.g. a; b; c)', in message order."""
        out = []
        for message, examples in sorted(self.seen.items()):
            shown = list(dict.fromkeys(e for e in examples if e))[:3]
            tail = f" (e.g. {'; '.join(shown)})" if shown else ""
            out.append(f"{len(examples)} {message}{tail}")
        return tuple(out)


def _built(pub: Publisher, rec: ListRecord, paths: dict[str, Path]
           ) -> tuple[Entity, list[Designation]]:
    """``build``, refusing a record with its file's path and line: 'path:12: record X: ...'."""
    src = rec.source
    where = f"{paths.get(src.file or '', src.file)}" + (f":{src.line}" if src.line else "")
    try:
        return build(pub, rec)
    except InputError as exc:
        raise InputError(where, f"record {rec.record_id}: {exc.message}") from None
    except ValueError as exc:  # a domain model refused a value (pydantic ValidationError)
        errors = getattr(exc, "errors", None)
        why = errors()[0]["msg"] if callable(errors) and errors() else str(exc)
        raise InputError(where, f"record {rec.record_id}: {' '.join(why.split())[:200]}"
                         ) from exc


def assemble(
    pub: Publisher,
    metas: list[FileMeta],
    records: list[ListRecord],
    notes: Notes,
    edges: tuple[list[Ownership], list[Control]] = ([], []),
) -> ListEdition:
    """The ListEdition: one Entity per record id (first copy wins), its Designations, edges.

    Its date is the newest file's (each FileMeta already fell back to the caller's date).
    """
    kept: dict[str, ListRecord] = {}
    for rec in records:
        if kept.setdefault(rec.record_id, rec) is not rec:
            notes.add("records repeated across the files read (first copy kept)")
    paths = {m.name: m.path for m in metas}
    built = [_built(pub, rec, paths) for rec in kept.values()]
    dataset = Dataset(
        entities=tuple(e for e, _ in built), designations=tuple(d for _, ds in built for d in ds),
        ownerships=tuple(edges[0]), controls=tuple(edges[1]),
    )
    dates = [m.published for m in metas if m.published]
    return ListEdition(
        source=pub.source, published=max(dates) if dates else None,
        content_hash=sha256_files([m.path for m in metas]),
        files=tuple(sorted(m.name for m in metas)), dataset=dataset, warnings=notes.lines(),
    )
