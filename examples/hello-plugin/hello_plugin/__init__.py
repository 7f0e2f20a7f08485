"""hello-plugin: greets a node instance."""
