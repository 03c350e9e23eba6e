"""The CRM gateway the settings ask for (HIYOKO_CRM), or None when there is none."""

from __future__ import annotations

import requests

from crm.gateway import CrmGateway
from crm.hubspot import HubSpotGateway
from crm.salesforce import SalesforceGateway
from settings import Settings


def gateway_of(settings: Settings, *, session: requests.Session | None = None) -> CrmGateway | None:
    """HubSpot or Salesforce as HIYOKO_CRM says; None when it is unset.

    TLS is verified as `requests` does it: REQUESTS_CA_BUNDLE (or CURL_CA_BUNDLE) when set, else
    certifi's bundle; HTTPS_PROXY and NO_PROXY likewise. Raises CrmError (permanent) when a setting
    the chosen CRM needs is missing or unreadable.
    """
    if settings.hiyoko_crm == "hubspot":
        return HubSpotGateway.from_settings(settings, session=session)
    if settings.hiyoko_crm == "salesforce":
        return SalesforceGateway.from_settings(settings, session=session)
    return None
