"""What notify talks to: its database (tables, one repository per aggregate), identity and
demand (thin clients over ``timebank_common.remote.ask``), the SMS and e-mail providers
(``channels``) and Prometheus (``metrics``)."""
