"""Pages for compliance officers, served by ``riskengine serve`` under ``/ui`` (issue 11).

Part of the HTTP adapter: ``api.app`` includes ``web.routes.router``. The pages call the
application layer only (screening, the case report, runs, overrides), render Jinja2
templates shipped in the package, and need no script: every action is a plain form.
"""
