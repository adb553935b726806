# Rules for the score stage (see docs/dataflow.md).
