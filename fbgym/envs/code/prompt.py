"""How a chat model is asked to write a function."""

from fbgym.core.prompt import PromptTemplate, extract_code
from fbgym.simulators.model_critic import TEACHER, CriticPrompt

TEMPLATE = PromptTemplate(
    family="code",
    system=(
        "You write Python. Reply with the complete function definition in one "
        "```python fenced block, without docstring or explanation. Example reply:\n"
        "```python\ndef add(a, b):\n    return a + b\n```"
    ),
    extract=extract_code,
    feedback_label="Test feedback",
)

CRITIC = CriticPrompt(
    TEACHER.replace("student", "programmer"),
    "Task: {instruction}\n{problem}\nThe program was {verdict}; test report: "
    "{diagnosis}\nFeedback so far:\n{earlier}\nWithout writing the code, your feedback:",
)
"""What a model-backed critic is asked about a program."""
