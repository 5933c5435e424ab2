"""Request and response bodies that more than one package of pelatihan_api uses: a session and an
enrolment as the API shows them (their routers, completion's responses, and the change log's ``data``,
which is the same shape, services/pelatihan_api/sync/service.py). Imports only models and enums."""
