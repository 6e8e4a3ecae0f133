"""fsnb: the FreeSWITCH WSS runbook as a library, CLI, notebooks and a lab."""
__version__ = "0.1.0"
