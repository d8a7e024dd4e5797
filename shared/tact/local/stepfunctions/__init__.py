"""An in-process Step Functions for JSONata definitions, one module per concern."""
