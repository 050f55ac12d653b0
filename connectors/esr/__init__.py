"""ESR (Electronic Staff Record) exports: finding, fingerprinting and reading the staff-in-post and
competence files a trust drops in its landing folder. Every ESR quirk lives here."""
