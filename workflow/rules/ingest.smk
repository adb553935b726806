# Rules for the ingest stage (see docs/dataflow.md).
