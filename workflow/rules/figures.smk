# Rules for the figures stage (see docs/dataflow.md).
