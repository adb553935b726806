# Rules for the render stage (see docs/dataflow.md).
