"""The token scores of all candidate records at once (numpy) against the one-by-one
reference (``Screener._token_score``, with the rescue), on real list names perturbed."""

from __future__ import annotations

import math
import random
from pathlib import Path

from ruamel.yaml import YAML

from riskengine.domain import Entity
from riskengine.screening.config import ScreeningConfig
from riskengine.screening.evaluate import perturb
from riskengine.screening.match import Screener
from riskengine.screening.normalise import analyse

RULES = Path(__file__).resolve().parents[2] / "rules"
NAMES = ("KAMAZ PUBLICLY TRADED COMPANY", "JOINT STOCK COMPANY AVTOVAZ", "PAO SOLLERS",
         "SOLLERS-FINANCE LLC", "GAZ GROUP", "NEFAZ", "TFK KAMAZ", "MIKAM HOLDINGS",
         "KOGOGIN, Sergey Anatolyevich", "AWAD, Kamal Abdelrahman Aref",
         "AL-ZUBAYDI, Muhammad Hamsa", "MIN, Byong Chol", "RYABTSEVA, Zhanna Anatolyevna",
         "OAO SHIP REPAIR CENTER 'ZVEZDOCHKA'", "ABU BAKR AL-BAGHDADI",
         "BANCO NACIONAL DE CUBA", "HAVANA INTERNATIONAL BANK, LTD",
         "MAGNITOGORSKIY METALLURGICHESKIY KOMBINAT", "KAMA AUTOMOBILE PLANT")


def test_batched_token_scores_equal_the_reference() -> None:
    data = YAML(typ="safe").load((RULES / "screening.yaml").read_text("utf-8"))
    config = ScreeningConfig.model_validate(data)
    entities = [Entity(id=f"e{i}", name=n) for i, n in enumerate(NAMES)]
    screener = Screener.build(entities, config)
    rng = random.Random(5)
    queries = [perturb(n, k, rng) or n for n in NAMES
               for k in ("typo", "drop_word", "reorder", "legal_form")]
    records = list(range(len(screener._records)))
    for q in queries:
        form = analyse(q, screener._lexicon)
        query = screener._query(form, records)
        batched = screener._token_scores(query, records)
        for r, got in zip(records, batched.tolist(), strict=True):
            record = screener._records[r]
            sub = query.sims[:, [query.columns[int(t)] for t in record.tokens]]
            want = screener._token_score(query, record, sub)
            if math.isnan(got):  # left to the rescue: the reference must be in its range
                assert config.rescue_min_confidence <= want < 1.0
            else:
                assert abs(got - want) < 1e-9, (q, record.form.original)
