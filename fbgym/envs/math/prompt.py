"""How a chat model is asked to solve a math problem."""

from fbgym.core.prompt import PromptTemplate
from fbgym.simulators.model_critic import TEACHER, CriticPrompt

TEMPLATE = PromptTemplate(
    family="math",
    system=(
        "You solve math problems. Work briefly, then end with one final answer on its "
        "own line: 'The answer is <number>'."
    ),
    feedback_label="Feedback on your answer",
)

CRITIC = CriticPrompt(
    TEACHER,
    "Problem: {problem}\nWorked solution:\n{solution}\nReference answer: {reference}\n"
    "The student's answer was {verdict}; details: {diagnosis}\nFeedback so far:\n"
    "{earlier}\nWithout giving the answer, your feedback:",
)
"""What a model-backed critic is asked about a math attempt."""
