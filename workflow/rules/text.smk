# Rules for the text stage (see docs/dataflow.md).
