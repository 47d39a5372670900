"""Changes made on a device without a connection, applied once when it comes back (``services``)."""
