"""The planning library: the mathematics of Sharing City as functions over plain data.

It never imports Django or the platform's apps (an import-linter contract checks this), so every
algorithm can be tested, benchmarked and reused alone.

Subpackages
-----------
pb          participatory-budgeting vote rules and the Pabulib file format
sortition   stratified random selection of citizens' panels (LEXIMIN, maximin)
demand      privacy-preserving origin-destination demand from call records (DuckDB, Spark)
network     transit network design and evaluation (night buses, Mandl/Mumford benchmarks)
dispatch    disability call-taxi dispatch: simulator, policies and a dial-a-ride solver
siting      facility location: p-median, maximal covering, set covering
"""
