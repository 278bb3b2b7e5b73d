"""The worker's tasks: what the request path queues on SQS FIFO and what each one does when it runs."""
