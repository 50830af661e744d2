"""Data-plane adapters: the Postfix socketmap server, the Postfix and KumoMTA renderers.

They call services and know no HTTP; every answer comes from the one routing rule
(``ipfleet.domain.routing``) through ``ipfleet.services.routing``.
"""
