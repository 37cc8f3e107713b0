"""The HTTP face of Hotline: the REST API (`/api/...`, OpenAPI at `/api/docs`), auth and roles.

`app.create_app` builds the FastAPI application on an engine. `auth` logs users in and out and
provides the `current_principal` and `require_role` dependencies every router uses; each
configuration resource has its own router module (`users`, `queues`, `agents`...), scoped to the
caller's tenant, with every write noted in the audit log (`audit`).
"""
