"""Test data and a database dump for the store tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import MetaData, create_engine, select

from riskengine.domain import (
    Control,
    Dataset,
    Designation,
    Entity,
    Identifier,
    Ownership,
    Relationship,
    Share,
    Source,
)
from riskengine.store import IngestRecord


def dump(url: str) -> dict[str, list[str]]:
    """Every row of every table (alembic_version included), in a stable order."""
    engine = create_engine(url)
    with engine.connect() as conn:
        meta = MetaData()
        meta.reflect(conn)
        out = {name: sorted(repr(tuple(row)) for row in conn.execute(select(table)))
               for name, table in meta.tables.items()}
    engine.dispose()
    return out


SRC = Source(source="ofac-sdn", record_id="37756", file="sdn.csv", line=12,
             note="SDN entry 37756", url="https://example.org/sdn/37756",
             published=date(2024, 6, 28), content_hash="ab" * 32)
RULES = Source(source="rules")


def sample_dataset() -> Dataset:
    """Every column filled at least once; ids sorted, as ``load_dataset`` returns them."""
    return Dataset(
        entities=(
            Entity(id="ofac-sdn:1", kind="company", name="Volga Precision Instruments JSC",
                   aliases=("АО «Волжские точные приборы»", "VPI"), country="ru",
                   identifiers=(Identifier(scheme="inn", value="6312000017", country="ru"),
                                Identifier(scheme="ogrn", value="1026300000018")),
                   sector="defence", sources=(SRC, RULES)),
            Entity(id="ofac-sdn:2", kind="person", name="Pyotr Ivanov", sources=(SRC,)),
            Entity(id="rules:jv", kind="unknown", name="Kama-Anhui JV"),
        ),
        designations=(
            Designation(id="d1", entity_id="ofac-sdn:1", regime="us", authority="OFAC",
                        program="RUSSIA-EO14024", list_name="SDN", measure="asset_freeze",
                        listed_from=date(2023, 5, 19), listed_to=date(2030, 1, 1), source=SRC),
            Designation(id="d2", entity_id="ofac-sdn:2", regime="eu", measure="export_control",
                        source=RULES),
        ),
        ownerships=(
            Ownership(id="o1", owner="ofac-sdn:2", asset="ofac-sdn:1", share=Share.exact(50.5),
                      valid_from=date(2019, 3, 1), valid_to=date(2024, 1, 1), source=SRC),
            Ownership(id="o2", owner="ofac-sdn:1", asset="rules:jv", share=Share(low=25, high=50),
                      source=RULES),
            Ownership(id="o3", owner="ofac-sdn:2", asset="rules:jv", share=Share.unknown(),
                      source=RULES),
        ),
        controls=(Control(id="c1", controller="ofac-sdn:2", controlled="rules:jv",
                          kind="board_appointment", valid_from=date(2020, 1, 1), source=SRC),),
        relationships=(
            Relationship(id="r1", a="ofac-sdn:1", b="rules:jv", kind="component_supply",
                         status="prospective", hs_codes=("8708.99", "8409"),
                         note="gearboxes", valid_to=date(2025, 1, 1), source=SRC),
            Relationship(id="r2", a="ofac-sdn:2", b="ofac-sdn:1", kind="officer", source=RULES),
        ),
    )


def record(file: str = "sdn.csv", minute: int = 0, **counts: int) -> IngestRecord:
    return IngestRecord(source="ofac-sdn", file=file, content_hash="ab" * 32,
                        published=date(2024, 6, 28),
                        started_at=datetime(2024, 7, 1, 9, minute, tzinfo=UTC),
                        finished_at=datetime(2024, 7, 1, 9, minute, 30, tzinfo=UTC),
                        counts=dict(counts))
