"""Test doubles shared by tests/ and bench/: HTTP fakes of the Slack Web API, Google Sheets,
HubSpot's CRM v3 API and Salesforce's REST API as strict as the real ones, request signing and
payload builders, and a real `hiyoko run` process. Imported from the repository root; not part of
the installed package."""
