"""pelatihan's reports for integrators (JSON or CSV): the 20 JP compliance per unit."""
