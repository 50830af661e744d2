"""Official SendGrid SDKs and schemathesis against a real `ipfleet serve`."""
