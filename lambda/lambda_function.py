"""AWS Lambda entry point for Muscle Weakness Guide (handler: ``lambda_function.lambda_handler``).

Importing the skill here, at module level, builds it and loads the knowledge base during the
Lambda init phase, so a SnapStart snapshot or a warm container already holds them.
"""

from muscle_guide.skill import lambda_handler

__all__ = ["lambda_handler"]
