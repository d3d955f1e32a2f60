"""The web dashboard and JSON API over the store (``databorder serve``)."""
