"""Pages: thin views that parse input, authorise, call one service and render."""
