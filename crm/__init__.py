"""CRM gateways behind one Protocol (HubSpot, Salesforce) and HubSpot's webhook verification."""

from crm.gateway import Check, CrmError, CrmGateway, DealChange, DealDraft, DealRef, Outcome

__all__ = ["Check", "CrmError", "CrmGateway", "DealChange", "DealDraft", "DealRef", "Outcome"]
