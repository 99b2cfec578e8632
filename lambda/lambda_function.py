"""AWS Lambda entry point for Muscle Weakness Guide (handler: ``lambda_function.lambda_handler``).

Importing the skill here, at module level, builds it during the Lambda init phase. Data files
(knowledge base, search index, decision table) load on first use; under SnapStart they are
loaded during init instead (``muscle_guide.skill.warm``), so the snapshot already holds them.
"""

from muscle_guide.skill import lambda_handler

__all__ = ["lambda_handler"]
