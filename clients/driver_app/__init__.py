"""The core of a driver app: a persistent offline queue, batch upload with retries, and the
change stream with resume and resync. See docs/mobile.md for the design; the stubs come from
clients/python/generate.sh and must be on sys.path before this package is imported."""
