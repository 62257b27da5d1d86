"""How a chat model is asked to solve a math problem."""

from fbgym.core.prompt import PromptTemplate, extract_final_answer
from fbgym.simulators.model_critic import TEACHER, CriticPrompt

TEMPLATE = PromptTemplate(
    family="math",
    system=(
        "You solve math problems. Work in a few short steps, then end with one final "
        "answer on its own line. Example reply:\n3 + 4 = 7\nThe answer is 7"
    ),
    extract=extract_final_answer,
    feedback_label="Feedback on your answer",
)

CRITIC = CriticPrompt(
    TEACHER,
    "Problem: {problem}\nWorked solution:\n{solution}\nReference answer: {reference}\n"
    "The student's answer was {verdict}; details: {diagnosis}\nFeedback so far:\n"
    "{earlier}\nWithout giving the answer, your feedback:",
)
"""What a model-backed critic is asked about a math attempt."""
