"""The answer engine: article text, knowledge files, matching and formatting. No Discord here."""
