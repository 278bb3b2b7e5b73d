"""Running Channelwright on one machine: AWS stand-ins and the glue Lambda would provide."""
