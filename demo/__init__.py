"""The demo data (``manage.py seed_demo``): a small marketplace with six months of conversations
and reviews, replayed through the real services. Above every product app, which never import it:
``marketplace`` builds the stores, orders and logins, ``inquiries`` and ``reviews`` replay their
histories on top."""
