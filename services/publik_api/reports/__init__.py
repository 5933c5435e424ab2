"""publik's reports for integrators (JSON or CSV): IKM per unit and year."""
