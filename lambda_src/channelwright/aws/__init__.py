"""AWS as the handlers use it: API Gateway's HTTP shapes, time-boxed clients, logs and metrics."""
