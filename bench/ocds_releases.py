"""Generated OCDS compiled releases for bench_redflags.py: N contracting processes as
JSON Lines, written by DuckDB (COPY … FORMAT json), deterministic in (N, seed).

The mix, from hashes of the process and bid numbers: tender status 1 % cancelled;
methods open 60 %, selective 15 %, limited 15 %, direct 10 %; details among four values
(one of them excluded by the bench's settings, one without price comparison); submission
periods of 2–45 days; 1–8 bids from 40,000 tenderers, statuses valid 80 %, disqualified
12 %, pending 3 %, withdrawn 3 %, invited 2 %, amounts spread around a process's estimate,
0.5 % in EUR, dates up to two days past the deadline; one award (active 95 %, pending 3 %,
cancelled 2 %) mostly to the first bidder, with 1–3 items classified among 60 segments;
3,000 buyers and procuring entities.
"""

from pathlib import Path

import duckdb

_SQL = """
COPY (
  WITH p AS (
    SELECT i, (hash(i, $seed) >> 1)::BIGINT AS h, (1 + hash(i, $seed, 'k') % 8)::BIGINT AS k,
           (1000 + hash(i, $seed, 'v') % 1000000)::BIGINT AS estimate,
           TIMESTAMP '2024-01-01' + INTERVAL ((hash(i, $seed, 'd') % 31536000)::BIGINT) SECOND AS opened,
           (2 + hash(i, $seed, 'p') % 44)::BIGINT AS days
    FROM range($n) t(i)
  )
  SELECT
    'ocds-bench-' || i AS ocid,
    {'id': 'B' || (h % 3000)} AS buyer,
    {'status': CASE WHEN h % 100 = 0 THEN 'cancelled' ELSE 'active' END,
     'procurementMethod': CASE WHEN h % 20 < 12 THEN 'open' WHEN h % 20 < 15 THEN 'selective'
                               WHEN h % 20 < 18 THEN 'limited' ELSE 'direct' END,
     'procurementMethodDetails': ['Licitación', 'Cotización', 'Sorteo', 'Subasta'][(1 + (h // 7) % 4)::BIGINT],
     'numberOfTenderers': k,
     'procuringEntity': {'id': 'P' || ((h // 3) % 3000)},
     'tenderPeriod': {'startDate': strftime(opened, '%Y-%m-%dT%H:%M:%SZ'),
                      'endDate': strftime(opened + INTERVAL (days) DAY, '%Y-%m-%dT%H:%M:%SZ')}} AS tender,
    {'details': list_transform(range(k), lambda j: {
        'status': CASE WHEN hash(i, j, 's') % 100 < 80 THEN 'valid' WHEN hash(i, j, 's') % 100 < 92 THEN 'disqualified'
                       WHEN hash(i, j, 's') % 100 < 95 THEN 'pending' WHEN hash(i, j, 's') % 100 < 98 THEN 'withdrawn'
                       ELSE 'invited' END,
        'date': strftime(opened + INTERVAL (days) DAY
                         + INTERVAL ((hash(i, j, 't') % 200000)::BIGINT - 190000) SECOND, '%Y-%m-%dT%H:%M:%SZ'),
        'tenderers': [{'id': 'T' || (hash(i, j, 'w') % 40000)}],
        'value': {'amount': round(estimate * (0.8 + j * 0.02 + (hash(i, j, 'a') % 1000) / 4000.0), 2),
                  'currency': CASE WHEN hash(i, j, 'c') % 200 = 0 THEN 'EUR' ELSE 'USD' END}})} AS bids,
    [{'status': CASE WHEN h % 100 < 95 THEN 'active' WHEN h % 100 < 98 THEN 'pending' ELSE 'cancelled' END,
      'suppliers': [{'id': 'T' || (hash(i, 0, 'w') % 40000)}],
      'items': list_transform(range(1 + h % 3), lambda m: {'classification': {
          'id': lpad(((hash(i, 0, 'w') % 40000 + m * (hash(i, m, 'g') % 3)) % 60 + 10)::VARCHAR, 2, '0') || '000000'}})
    }] AS awards
  FROM p
) TO '{path}' (FORMAT json)
"""


def generate(n: int, path: Path, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute(_SQL.replace("{path}", str(path).replace("'", "''")), {"n": n, "seed": seed})
    con.close()
    return path
