from fsnb.present.cli import entry

entry()
