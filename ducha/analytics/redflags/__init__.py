"""Red flags on trading data (issue 11): Cardinal's OCDS indicators (cardinal.py over
ocds.py) and the Chinese platform indicators, one settings file (settings.py) for all."""
