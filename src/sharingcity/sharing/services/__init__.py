"""Writes of the sharing hub: ``check_*`` functions check who may act and the rules, then write
atomically. Modules: ``booking`` (the core), ``lending`` (items, queue, maintenance, parking
plates), ``trust`` (reviews, reports, disputes), ``homeshare``, ``enterprises``, ``hub``
(partner feeds)."""
