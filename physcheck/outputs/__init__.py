"""What a run shows: the key numbers, series and snapshot payloads of each model
(``payloads``), the results JSON (``results``) and the terminal summary (``summary``)."""
