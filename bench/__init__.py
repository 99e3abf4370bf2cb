"""The bench (``make bench``) and the production shape on one machine (``make stack``): not part of the portal."""
