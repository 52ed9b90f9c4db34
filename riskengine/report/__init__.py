"""Case reports and the exposure graph drawing (issue 11).

``graph_select`` picks the ties to draw (pure, arrays), ``graph_svg`` lays them out and
writes the SVG (pure text), ``case`` is the report's model and content hash, ``html`` and
``pdf`` render it. Nothing here reads the clock, the environment or a database: the use case
(``application.reports``) gathers the inputs.
"""
