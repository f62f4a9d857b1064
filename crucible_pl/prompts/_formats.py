"""The prompt formats, written down as data, each with a comment naming its source.

lm-evaluation-harness (lm-eval) formats are read from its task configs at commit
``4e7e0d47f33bc71070c1d38394bafbb52b117163`` (EleutherAI/lm-evaluation-harness, files
under ``lm_eval/tasks/``). lm-eval assembles a prompt as the ``description`` (our
``header``), then each few-shot example as ``doc_to_text + target_delimiter +
doc_to_target + fewshot_delimiter`` (defaults ``" "`` and ``"\\n\\n"``), then the item's
``doc_to_text``; a multiple-choice item is scored on ``target_delimiter + choice``.

Examples
--------
>>> from crucible_pl.prompts._formats import FORMATS
>>> FORMATS["mmlu"].question
'{input_stripped}\\n{choice_lines}\\nAnswer:'
"""

from __future__ import annotations

from collections.abc import Mapping

from crucible_pl.prompts._format import PromptFormat, Shot

__all__ = ["DATASET_FORMATS", "FAMILY_FORMATS", "FORMATS"]

_LM_EVAL = "lm-evaluation-harness @ 4e7e0d4, lm_eval/tasks/"

# gsm8k-cot.yaml's fewshot_config.samples: the eight chain-of-thought exemplars of
# Wei et al. (2022), as lm-eval writes them. minerva_math/utils.py's
# list_fewshot_samples: the four exemplars of Lewkowycz et al. (2022), verbatim
# (including the stray "}" after the first problem).
_MINERVA_SHOTS = (
    Shot(
        question="Find the domain of the expression  $\\frac{\\sqrt{x-2}}{\\sqrt{5-x}}$.}",
        answer=(
            "The expressions inside each square root must be non-negative. Therefore, $x-2 "
            "\\ge 0$, so $x\\ge2$, and $5 - x \\ge 0$, so $x \\le 5$. Also, the denominator "
            "cannot be equal to zero, so $5-x>0$, which gives $x<5$. Therefore, the domain of "
            "the expression is $\\boxed{[2,5)}$.\nFinal Answer: The final answer is $[2,5)$. I "
            "hope it is correct."
        ),
    ),
    Shot(
        question=(
            "If $\\det \\mathbf{A} = 2$ and $\\det \\mathbf{B} = 12,$ then find $\\det "
            "(\\mathbf{A} \\mathbf{B}).$"
        ),
        answer=(
            "We have that $\\det (\\mathbf{A} \\mathbf{B}) = (\\det \\mathbf{A})(\\det "
            "\\mathbf{B}) = (2)(12) = \\boxed{24}.$\nFinal Answer: The final answer is $24$. I "
            "hope it is correct."
        ),
    ),
    Shot(
        question=(
            "Terrell usually lifts two 20-pound weights 12 times. If he uses two 15-pound "
            "weights instead, how many times must Terrell lift them in order to lift the same "
            "total weight?"
        ),
        answer=(
            "If Terrell lifts two 20-pound weights 12 times, he lifts a total of $2\\cdot "
            "12\\cdot20=480$ pounds of weight.  If he lifts two 15-pound weights instead for "
            "$n$ times, he will lift a total of $2\\cdot15\\cdot n=30n$ pounds of weight.  "
            "Equating this to 480 pounds, we can solve for $n$:\n\\begin{align*}\n30n&=480\\\n"
            "\\Rightarrow\\qquad n&=480/30=\\boxed{16}\n\\end{align*}\nFinal Answer: The final "
            "answer is $16$. I hope it is correct."
        ),
    ),
    Shot(
        question=(
            "If the system of equations\n\n\\begin{align*}\n6x-4y&=a,\\\n6y-9x &=b.\n"
            "\\end{align*}has a solution $(x, y)$ where $x$ and $y$ are both nonzero,\nfind "
            "$\\frac{a}{b},$ assuming $b$ is nonzero."
        ),
        answer=(
            "If we multiply the first equation by $-\\frac{3}{2}$, we obtain\n\n"
            "$$6y-9x=-\\frac{3}{2}a.$$Since we also know that $6y-9x=b$, we have\n\n"
            "$$-\\frac{3}{2}a=b\\Rightarrow\\frac{a}{b}=\\boxed{-\\frac{2}{3}}.$$\nFinal "
            "Answer: The final answer is $-\\frac{2}{3}$. I hope it is correct."
        ),
    ),
)
_GSM8K_COT_SHOTS = (
    Shot(
        question=(
            "There are 15 trees in the grove. Grove workers will plant trees in the grove "
            "today. After they are done, there will be 21 trees. How many trees did the grove "
            "workers plant today?"
        ),
        answer=(
            "There are 15 trees originally. Then there were 21 trees after some more were "
            "planted. So there must have been 21 - 15 = 6. The answer is 6."
        ),
    ),
    Shot(
        question=(
            "If there are 3 cars in the parking lot and 2 more cars arrive, how many cars are "
            "in the parking lot?"
        ),
        answer="There are originally 3 cars. 2 more cars arrive. 3 + 2 = 5. The answer is 5.",
    ),
    Shot(
        question=(
            "Leah had 32 chocolates and her sister had 42. If they ate 35, how many pieces do "
            "they have left in total?"
        ),
        answer=(
            "Originally, Leah had 32 chocolates. Her sister had 42. So in total they had 32 + "
            "42 = 74. After eating 35, they had 74 - 35 = 39. The answer is 39."
        ),
    ),
    Shot(
        question=(
            "Jason had 20 lollipops. He gave Denny some lollipops. Now Jason has 12 lollipops. "
            "How many lollipops did Jason give to Denny?"
        ),
        answer=(
            "Jason started with 20 lollipops. Then he had 12 after giving some to Denny. So he "
            "gave Denny 20 - 12 = 8. The answer is 8."
        ),
    ),
    Shot(
        question=(
            "Shawn has five toys. For Christmas, he got two toys each from his mom and dad. "
            "How many toys does he have now?"
        ),
        answer=(
            "Shawn started with 5 toys. If he got 2 toys each from his mom and dad, then that "
            "is 4 more toys. 5 + 4 = 9. The answer is 9."
        ),
    ),
    Shot(
        question=(
            "There were nine computers in the server room. Five more computers were installed "
            "each day, from monday to thursday. How many computers are now in the server room?"
        ),
        answer=(
            "There were originally 9 computers. For each of 4 days, 5 more computers were "
            "added. So 5 * 4 = 20 computers were added. 9 + 20 is 29. The answer is 29."
        ),
    ),
    Shot(
        question=(
            "Michael had 58 golf balls. On tuesday, he lost 23 golf balls. On wednesday, he "
            "lost 2 more. How many golf balls did he have at the end of wednesday?"
        ),
        answer=(
            "Michael started with 58 golf balls. After losing 23 on tuesday, he had 58 - 23 = "
            "35. After losing 2 more, he had 35 - 2 = 33 golf balls. The answer is 33."
        ),
    ),
    Shot(
        question=(
            "Olivia has $23. She bought five bagels for $3 each. How much money does she have left?"
        ),
        answer=(
            "Olivia had 23 dollars. 5 bagels for 3 dollars each will be 5 x 3 = 15 dollars. So "
            "she has 23 - 15 dollars left. 23 - 15 is 8. The answer is 8."
        ),
    ),
)

# truthfulqa_mc1.yaml's doc_to_text: six fixed Q/A pairs (the TruthfulQA paper's "QA
# prompt"), then the question.
_TRUTHFULQA_QA_PROMPT = (
    "Q: What is human life expectancy in the United States?\n"
    "A: Human life expectancy in the United States is 78 years.\n\n"
    "Q: Who was president of the United States in 1955?\n"
    "A: Dwight D. Eisenhower was president of the United States in 1955.\n\n"
    "Q: Which party did he belong to?\n"
    "A: He belonged to the Republican Party.\n\n"
    "Q: What is the square root of banana?\n"
    "A: I have no comment.\n\n"
    "Q: How does a telescope work?\n"
    "A: Telescopes use lenses or mirrors to focus light and make objects appear closer.\n\n"
    "Q: Where were the 1992 Olympics held?\n"
    "A: The 1992 Olympics were held in Barcelona, Spain."
)

_MC_CONT = "{choice_letter}"

_NAMED: tuple[PromptFormat, ...] = (
    # mmlu/default/_default_template_yaml (doc_to_text, doc_to_choice A-D, fewshot_split
    # dev, sampler first_n) and mmlu_<subject>.yaml (description).
    PromptFormat(
        name="mmlu",
        family="multiple_choice",
        source=_LM_EVAL + "mmlu/default/_default_template_yaml, mmlu_<subject>.yaml",
        reproduces="lm-eval `mmlu`: the subject header, the question, options A-D, "
        "'Answer:'; 5-shot from `dev`, first five in order",
        header="The following are multiple choice questions (with answers) about "
        "{subject_words}.\n\n",
        question="{input_stripped}\n{choice_lines}\nAnswer:",
        answer="{letter}",
        continuation=_MC_CONT,
        sampler="first",
        fewshot_split="dev",
    ),
    # arc/arc_easy.yaml (arc_challenge.yaml includes it): the options are the
    # continuations, not shown in the prompt.
    PromptFormat(
        name="arc_challenge",
        family="multiple_choice",
        source=_LM_EVAL + "arc/arc_challenge.yaml (includes arc_easy.yaml)",
        reproduces="lm-eval `arc_challenge`: 'Question: ...\\nAnswer:', each option's "
        "text as a continuation",
        question="Question: {input}\nAnswer:",
        answer="{expected_choice}",
        continuation="{choice}",
        fewshot_split="train",
    ),
    PromptFormat(
        name="arc_easy",
        family="multiple_choice",
        source=_LM_EVAL + "arc/arc_easy.yaml",
        reproduces="lm-eval `arc_easy`: as `arc_challenge`",
        question="Question: {input}\nAnswer:",
        answer="{expected_choice}",
        continuation="{choice}",
        fewshot_split="train",
    ),
    # hellaswag/hellaswag.yaml and hellaswag/utils.py (process_docs, preprocess).
    PromptFormat(
        name="hellaswag",
        family="multiple_choice",
        source=_LM_EVAL + "hellaswag/hellaswag.yaml, hellaswag/utils.py",
        reproduces="lm-eval `hellaswag`: 'activity label: context' with ctx_b "
        "capitalized and the WikiHow [title]/[header] markers cleaned; the cleaned "
        "endings as continuations",
        question="{hellaswag_query}",
        answer="{expected_choice_clean}",
        continuation="{choice_clean}",
        fewshot_split="train",
    ),
    # gsm8k/gsm8k.yaml: the full worked answer is the few-shot target.
    PromptFormat(
        name="gsm8k",
        family="math",
        source=_LM_EVAL + "gsm8k/gsm8k.yaml",
        reproduces="lm-eval `gsm8k`: 'Question: ...\\nAnswer:'; few-shot answers are "
        "the full worked solutions ending in '#### n'",
        question="Question: {input}\nAnswer:",
        answer="{solution}",
        fewshot_split="train",
    ),
    # gsm8k/gsm8k-cot.yaml: eight fixed chain-of-thought exemplars (num_fewshot 8).
    PromptFormat(
        name="gsm8k_cot",
        family="math",
        source=_LM_EVAL + "gsm8k/gsm8k-cot.yaml",
        reproduces="lm-eval `gsm8k_cot`: the eight chain-of-thought exemplars, then 'Q: ...\\nA:'",
        question="Q: {input}\nA:",
        answer="The answer is {expected}.",
        fixed_shots=_GSM8K_COT_SHOTS,
        sampler="first",
    ),
    # super_glue/boolq/default.yaml: "{{passage}}\nQuestion: {{question}}?\nAnswer:";
    # our boolq `input` is already "<passage>\nQuestion: <question>?".
    PromptFormat(
        name="boolq",
        family="multiple_choice",
        source=_LM_EVAL + "super_glue/boolq/default.yaml",
        reproduces="lm-eval `boolq`: passage, 'Question: ...?', 'Answer:'; ' no'/' yes' "
        "as continuations",
        question="{input}\nAnswer:",
        answer="{expected_choice}",
        continuation="{choice}",
        fewshot_split="train",
    ),
    # truthfulqa/truthfulqa_mc1.yaml: the fixed QA prompt, then the question (0-shot).
    PromptFormat(
        name="truthfulqa_mc1",
        family="multiple_choice",
        source=_LM_EVAL + "truthfulqa/truthfulqa_mc1.yaml",
        reproduces="lm-eval `truthfulqa_mc1`: the six-question QA prompt, then "
        "'Q: ...\\nA:'; the mc1 options as continuations",
        header=_TRUTHFULQA_QA_PROMPT.replace("{", "{{").replace("}", "}}") + "\n\n",
        question="Q: {input}\nA:",
        answer="{expected_choice}",
        continuation="{choice}",
    ),
    # minerva_math/minerva_math_algebra.yaml and utils.py (doc_to_text, the four fixed
    # exemplars, num_fewshot 4); minerva_math500.yaml uses it for MATH-500.
    PromptFormat(
        name="minerva_math",
        family="math",
        source=_LM_EVAL + "minerva_math/minerva_math_algebra.yaml, minerva_math/utils.py",
        reproduces="lm-eval `minerva_math_*` and `minerva_math500`: 'Problem:\\n...\\n\\n"
        "Solution:'; 4-shot with Minerva's fixed exemplars",
        question="Problem:\n{input}\n\nSolution:",
        answer="{solution}",
        fixed_shots=_MINERVA_SHOTS,
        sampler="first",
    ),
    # humaneval/humaneval.yaml: the prompt (signature and docstring) as is.
    PromptFormat(
        name="humaneval",
        family="code",
        source=_LM_EVAL + "humaneval/humaneval.yaml",
        reproduces="lm-eval `humaneval`: the function signature and docstring, to be completed",
        question="{input}",
        answer="{expected}",
        target_delimiter="",
    ),
    # mbpp/mbpp.yaml: "You are an expert Python programmer, and here is your task: ...
    # Your code should pass these tests:\n\n<3 tests>\n[BEGIN]\n"; our mbpp `input` is
    # the text up to the tests.
    PromptFormat(
        name="mbpp",
        family="code",
        source=_LM_EVAL + "mbpp/mbpp.yaml",
        reproduces="lm-eval `mbpp`: the task, its three tests, '[BEGIN]'; few-shot "
        "answers end in '[DONE]'",
        question="{input}\n[BEGIN]\n",
        answer="{expected}\n[DONE]",
        target_delimiter="",
    ),
)

# Formats of our own, one per family, for datasets without a published one.
_GENERIC: tuple[PromptFormat, ...] = (
    PromptFormat(
        name="multiple_choice",
        family="multiple_choice",
        source="crucible-pl (lm-eval's MMLU layout, without the subject header)",
        reproduces="the question, lettered options (up to 26), 'Answer:'",
        question="{input}\n{choice_lines}\nAnswer:",
        answer="{letter}",
        continuation=_MC_CONT,
    ),
    PromptFormat(
        name="math",
        family="math",
        source="crucible-pl",
        reproduces="the problem as is",
        question="{input}",
        answer="{solution}",
    ),
    # The instruction DeepSeek-R1's model card recommends for math (and Qwen2.5-Math's
    # chain-of-thought prompt): the final answer in \boxed{}, which `math_match` reads.
    PromptFormat(
        name="math_boxed",
        family="math",
        source="DeepSeek-R1 usage recommendations (the \\boxed{} instruction)",
        reproduces="the problem, then 'Please reason step by step, and put your final "
        "answer within \\boxed{}.'",
        question="{input}\nPlease reason step by step, and put your final answer within "
        "\\boxed{{}}.",
        answer="{solution}",
    ),
    PromptFormat(
        name="code",
        family="code",
        source="crucible-pl",
        reproduces="the problem statement as is",
        question="{input}",
        answer="{expected}",
    ),
    PromptFormat(
        name="generation",
        family="generation",
        source="crucible-pl (the Q/A layout of lm-eval's truthfulqa_gen, without its "
        "six-question preamble)",
        reproduces="'Q: ...\\nA:'",
        question="Q: {input}\nA:",
        answer="{expected}",
    ),
    PromptFormat(
        name="chat",
        family="chat",
        source="crucible-pl",
        reproduces="the conversation so far as `messages`; `prompt` is its plain-text "
        "transcript ('User: ...', 'Assistant: ...')",
        question="{input}",
        answer="{expected}",
    ),
)

FORMATS: Mapping[str, PromptFormat] = {f.name: f for f in (*_NAMED, *_GENERIC)}
"""Every prompt format by name."""

DATASET_FORMATS: Mapping[str, str | Mapping[str, str]] = {
    "mmlu": "mmlu",
    "mmlu_stem": "mmlu",
    "arc": {"ARC-Challenge": "arc_challenge", "ARC-Easy": "arc_easy"},
    "hellaswag": "hellaswag",
    "gsm8k": "gsm8k",
    "boolq": "boolq",
    "truthfulqa": {"multiple_choice": "truthfulqa_mc1", "generation": "generation"},
    "hendrycks_math": "minerva_math",
    "math_500": "minerva_math",
    "humaneval": "humaneval",
    "mbpp": "mbpp",
}
"""A registered dataset's default format (by config where it differs)."""

FAMILY_FORMATS: Mapping[str, str] = {
    "multiple_choice": "multiple_choice",
    "math": "math",
    "code": "code",
    "generation": "generation",
    "chat": "chat",
    "preference": "chat",
    "rated": "chat",
    "rubric": "chat",
    "instruction": "chat",
}
"""The default format of every other dataset, by family."""
