"""Input and output serializers of the accounts API (the token).

Input serializers check shape and types only (they never write); the services own the rules.
"""

from rest_framework import serializers

# --- Token ------------------------------------------------------------------------------------


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField(help_text="After this the token is refused (401); ask for a new one.")
