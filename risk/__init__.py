"""Place risk scores and hotspot forecasts (issue 6): explainable, harm-weighted, backtested.

One module per job: ``harm`` (crime-type weights), ``events`` (crimes from the warehouse or
raw police.uk files), ``grid`` (cells, months, neighbours), ``baselines`` and ``models``
(next-month forecasts), ``metrics`` (PAI, PEI*, hit rate), ``backtest`` (rolling origin,
model choice), ``near_repeat``, ``network``, ``hotspots`` (Getis-Ord Gi*), ``scores`` (the
combined, explainable score tables) and ``contract`` (``crimegraph forecast``).
See docs/risk.md.
"""
