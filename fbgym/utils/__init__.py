"""Tools for env authors: the FeedbackEnv contract checker."""

from fbgym.utils.env_checker import ContractReport, EnvContractError, check_feedback_env

__all__ = ["ContractReport", "EnvContractError", "check_feedback_env"]
