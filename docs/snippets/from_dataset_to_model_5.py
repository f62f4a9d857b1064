# requires: inspect_ai
import tempfile

from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ModelOutput, ModelUsage, get_model
from inspect_ai.scorer import choice
from inspect_ai.solver import multiple_choice

import crucible_pl

mmlu = crucible_pl.load("mmlu", "test", config="astronomy").head(4)
samples = mmlu.to_inspect()  # ids, questions, options, target letters, metadata

# inspect's mock model, answering "A" four times (stated token usage keeps it offline).
replies = []
for _ in range(4):
    reply = ModelOutput.from_content(model="mockllm/model", content="ANSWER: A")
    reply.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    replies.append(reply)
model = get_model("mockllm/model", custom_outputs=replies)
task = Task(dataset=samples, solver=multiple_choice(), scorer=choice())
[log] = inspect_eval(task, model=model, log_dir=tempfile.mkdtemp(), display="none")

predictions = crucible_pl.from_inspect(log)  # id, prediction, model, task, scores, metadata
result = crucible_pl.evaluate(mmlu, predictions)
print(result)
expected = mmlu.collect()["expected"]
assert result.items["choice_match"].to_list() == [e == 0 for e in expected]
assert result.missing_ids == ()
