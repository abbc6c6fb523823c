"""Model templates: parameter shapes and grounding of samples into computation graphs."""
