"""Screening parameters (rules/screening.yaml): every tunable number, with a default.

Pure: the model only. The CLI reads the YAML file and validates it into ``ScreeningConfig``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

GENERIC_WORDS = (
    "trading", "trade", "group", "company", "industrial", "industries", "industry",
    "international", "holding", "holdings", "global", "general", "enterprise", "enterprises",
    "import", "export", "services", "service", "investment", "investments", "development",
    "technology", "technologies", "commercial", "corporation", "management", "the", "and",
    "of", "for", "bank", "new", "national", "limited", "charitable", "organization",
    "organisation", "foundation", "fund", "society", "association", "center", "centre",
)

# Consonants written differently by transcription systems: zh/dzh/dj = j (Pezhman, Pejman),
# ch = j (Korean Chong, Jong), gh = q = c = k (Persian Ghasem, Qasem), g = h (Ukrainian and
# Belarusian Oleh, Halina), z = s (Hamza, Hamsa), Belarusian dz = d (Radzivon).
CONSONANT_CLASSES = (("dzh", "j"), ("zh", "j"), ("dj", "j"), ("dz", "d"), ("ch", "j"),
                     ("gh", "k"), ("g", "h"), ("q", "k"), ("c", "k"), ("z", "s"))


class ScreeningConfig(BaseModel):
    """How names are compared and when a candidate counts as a match."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: float = Field(
        0.75, ge=0, le=1, description="confidence at or above which a candidate is a match")
    query_weight: float = Field(
        0.5, ge=0, le=1,
        description="share of the token score given to query coverage (the rest: coverage of "
                    "the listed name)")
    idf_exponent: float = Field(
        1.0, ge=0, le=4, description="token weight = idf ** exponent; higher favours rare tokens")
    generic_words: tuple[str, ...] = Field(
        GENERIC_WORDS, description="words down-weighted on top of idf (folded, lower case)")
    generic_weight: float = Field(
        0.3, ge=0, le=1, description="multiplier of the weight of a generic word")
    token_min_similarity: float = Field(
        0.8, ge=0, le=1,
        description="two tokens agree when their rapidfuzz ratio is at least this (0-1)")
    exact_token_length: int = Field(
        3, ge=0, description="tokens of at most this many letters must be equal to agree")
    compact_min_similarity: float = Field(
        0.9, ge=0, le=1,
        description="similarity of the whole names with spaces removed (catches split or "
                    "merged words) counts only from this value up")
    short_name_length: int = Field(
        4, ge=0, description="a name of at most this many letters (legal form removed) must "
                             "match the other name exactly")
    short_name_cap: float = Field(
        0.4, ge=0, le=1, description="highest confidence of a short name that is not exact")
    country_conflict_penalty: float = Field(
        0.15, ge=0, le=1,
        description="subtracted when the query country and the entity country are both known "
                    "and differ")
    country_agreement_bonus: float = Field(
        0.0, ge=0, le=1, description="added when both countries are known and agree")
    birth_date_agreement_bonus: float = Field(
        0.05, ge=0, le=1, description="added when a person's query date of birth agrees with "
                                      "a listed one (same date, or one a prefix of the other)")
    birth_date_conflict_penalty: float = Field(
        0.2, ge=0, le=1, description="subtracted when no listed date of birth of a person is "
                                     "within birth_year_tolerance years of the query's")
    birth_year_tolerance: int = Field(
        1, ge=0, description="dates of birth this many years apart or closer do not conflict")
    nationality_agreement_bonus: float = Field(
        0.0, ge=0, le=1, description="added when a person's query nationality is a listed one")
    nationality_conflict_penalty: float = Field(
        0.1, ge=0, le=1, description="subtracted when a person's nationalities are listed "
                                     "and the query's is not among them")
    company_person_penalty: float = Field(
        0.2, ge=0, le=1, description="subtracted from a listed person's confidence when the "
                                     "query has a legal form (LLC, PJSC, ...): a company")
    weak_alias_weight: float = Field(
        0.9, ge=0, le=1, description="confidence of a name that is a weak alias of the list "
                                     "is multiplied by this (weaker evidence)")
    identifier_bonus: float = Field(
        1.0, ge=0, le=1,
        description="added when the query identifier equals one of the entity's identifiers "
                    "(digits and letters only); 1.0 makes a matching identifier decide")
    identifier_min_length: int = Field(
        5, ge=1, description="identifiers shorter than this (normalised) are not compared")
    fallback_margin: float = Field(
        0.1, ge=0, le=1,
        description="fallback_match: the runner-up must score at least this much below the "
                    "top candidate")
    min_confidence: float = Field(
        0.5, ge=0, le=1, description="candidates below this confidence are not reported")
    max_candidates: int = Field(
        60, ge=1, description="names scored in full per query, the best by blocking weight")
    block_token_slots: int = Field(
        0, ge=0, description="candidates also include, for each word of a query of several "
                             "words, the names of highest blocking weight for that word "
                             "alone, this many (a rare surname's spellings are not crowded "
                             "out by names sharing two common given names); 0: none")
    max_posting: int = Field(
        1500, ge=1,
        description="blocking keys shared by more names than this are skipped when the query "
                    "has rarer keys")
    block_prefix: int = Field(
        4, ge=2, description="length of the token prefix and suffix used as blocking keys")
    block_key_share: float = Field(
        0.5, ge=0, le=1,
        description="share of a fuzzily shared token's blocking weight given in proportion "
                    "to the number of its fuzzy keys a name shares (the rest: for sharing "
                    "any); ranks close spellings first among names sharing a common affix")
    max_limit: int = Field(100, ge=1, description="largest number of candidates one query returns")
    single_token_length: int = Field(
        6, ge=0, description="a one-word name of at most this many letters, compared with "
                             "another one-word name, must reach single_token_min_similarity")
    single_token_min_similarity: float = Field(
        0.9, ge=0, le=1, description="below this similarity a short one-word pair is capped "
                                     "at short_name_cap (Bayer is not Bajer)")
    vowel_variant_similarity: float = Field(
        0.85, ge=0, le=1,
        description="similarity of two tokens that differ only in their vowels or in "
                    "consonants transcriptions confuse (Mohammed, Muhammad; Artyom, Artem; "
                    "Oleg, Oleh); 0 turns it off")
    vowel_variant_min_consonants: int = Field(
        3, ge=1, description="tokens with fewer consonants never count as vowel variants")
    vowel_variant_max_length_difference: int = Field(
        1, ge=0, description="... and whose lengths differ by at most this many letters")
    consonant_readings: tuple[tuple[tuple[str, str], ...], ...] = Field(
        (CONSONANT_CLASSES,),
        description="tables of [letters, class] replacements applied, in order, to the "
                    "consonants of a token; two tokens are vowel variants when one table "
                    "gives both the same consonants (one table per family of transcription "
                    "systems: Arabic/Persian/Russian, Korean, ...)")
    spelling_readings: tuple[tuple[str, str], ...] = Field(
        (), description="[letters, reading] replacements applied in order to whole tokens "
                        "(vowels kept): two tokens that read the same are spelling variants "
                        "(sh = ch: Shahin, Chahine; Korean eo = o: Seon, Son); letters "
                        "ending in '$' are replaced only at the end of a token (au$ = ov: "
                        "Naumau, Naumov); vowel variants compare lengths as read")
    spelling_variant_similarity: float = Field(
        0.9, ge=0, le=1, description="similarity of two spelling variants (spelling_readings); "
                                     "0 turns it off")
    spelling_variant_min_length: int = Field(
        3, ge=1, description="tokens shorter than this are never spelling variants")
    name_variants: tuple[tuple[str, ...], ...] = Field(
        (), description="groups of forms of one given name in other languages, their "
                        "transliterations and hypocoristics (Nikolaos, Nikos, Mykola, "
                        "Mikalai; Vladimir, Uladzimir); two tokens of one group are name "
                        "variants (a name in several groups counts in the first)")
    name_variant_similarity: float = Field(
        0.85, ge=0, le=1, description="similarity of two name variants (name_variants); 0 "
                                      "turns it off")
    consonant_blocking: bool = Field(
        True, description="tokens also yield their consonant signature (first table of "
                          "consonant_readings) as a blocking key, so vowel variants are "
                          "compared (Puhachov, Pugachyov)")
    reading_blocking: bool = Field(
        False, description="tokens also yield their spelling reading (spelling_readings) as "
                           "a blocking key, so spelling variants are compared (Spetsmash, "
                           "Specmash; Naumau, Naumov)")
    patronymic_suffixes: tuple[str, ...] = Field(
        (), description="endings of patronymics (folded skeletons: ovich, ovna, ...); a "
                        "token ending in one is also compared by its stem (Mkrtichovich = "
                        "Mkrtich), longest ending first")
    patronymic_min_stem: int = Field(
        4, ge=1, description="a patronymic stem must keep at least this many letters")
    adjective_suffixes: tuple[str, ...] = Field(
        (), description="endings of Russian and Ukrainian adjectives made from place names "
                        "(folded skeletons: ski, skaia, skogo, ...); an unmatched word ending "
                        "in one is also compared by its stem (Uralskii = Ural, Kazanskii = "
                        "Kazan), which keeps at least patronymic_min_stem letters")
    join_min_similarity: float = Field(
        0.85, ge=0, le=1,
        description="two adjacent words written as one (Abu Bakr, Abubakar; IR-ITAL, Irital) "
                    "agree with the other name's word when the "
                    "rapidfuzz ratio (0-1) of the joined spellings is at least this; 1 turns "
                    "it off")
    rescue_min_confidence: float = Field(
        0.3, ge=0, le=1,
        description="alternative spellings of unmatched words (unfolded, glued particle, "
                    "patronymic stem, joined words) are tried only for names whose token "
                    "score already reaches this (speed)")
    subset_weight: float = Field(
        0.5, ge=0, le=1,
        description="when every word of one name has a partner in the other (a name typed "
                    "with words missing), weight of that name's coverage in the token score "
                    "(the rest: the other's, so the missing words still cost their rarity); "
                    "query_weight applies otherwise")
    subset_min_tokens: int = Field(
        2, ge=1, description="... only when that name has at least this many words that are "
                             "not generic words")
    subset_min_similarity: float = Field(
        0.9, ge=0, le=1, description="... and each of its words agrees at least this much "
                                     "with its partner")
    synonyms: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="canonical word: its translations, spellings and expansions (folded, "
                    "lower case; several words allowed; a word ending in '*' matches any "
                    "ending; a first word needs 4 letters before the '*'); replaced by the "
                    "canonical word before comparison")
    table_word_min_length: int = Field(
        5, ge=1, description="tokens of at least this many letters may be read as a word of "
                             "the legal forms or synonyms they resemble (typos)")
    table_word_min_similarity: float = Field(
        0.85, ge=0, le=1, description="... when their rapidfuzz ratio (0-1) with it is at "
                                      "least this")
    table_word_max_length_difference: int = Field(
        1, ge=0, description="... and their lengths differ by at most this many letters")
    particles: tuple[str, ...] = Field(
        (), description="name particles and function words dropped before comparison (al, "
                        "bin, de, van, of, ...)")
    titles: tuple[str, ...] = Field(
        (), description="titles and ranks dropped before comparison (mr, dr, col, sheikh, ...)")

    @field_validator("synonyms")
    @classmethod
    def _prefixes_are_long(cls, synonyms: dict[str, tuple[str, ...]]
                           ) -> dict[str, tuple[str, ...]]:
        """A phrase's first word ending in '*' needs at least 4 letters before it."""
        short = [p for v in synonyms.values() for p in v
                 if p.split()[0].endswith("*") and len(p.split()[0]) < 5]
        if short:
            raise ValueError(f"'*' needs at least 4 letters before it: {', '.join(short)}")
        return synonyms
