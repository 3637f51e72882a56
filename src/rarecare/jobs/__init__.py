"""Background jobs: long work (imports, exports, reports) off the request path, with progress a
page and the API can follow. One runner per server process; a job interrupted by a restart is
marked failed, never left running."""
