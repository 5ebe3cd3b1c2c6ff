# Bench stub standing in for djangorestframework-jwt (unmaintained, not in Debian):
# only the names WebODM imports. The token view keeps the real one's shape
# (an APIView answering POST) so its route row is the same.
