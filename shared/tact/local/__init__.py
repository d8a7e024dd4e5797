"""Local, in-process stand-ins for AWS services: a virtual clock and a Step Functions executor."""
