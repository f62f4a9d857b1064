import polars as pl

from crucible_pl import schemas
from crucible_pl.errors import ValidationError

# One patito model per family; MODELS maps the family name to it.
assert schemas.MODELS["multiple_choice"] is schemas.MultipleChoice
assert schemas.MultipleChoice.model_json_schema()["required"] == [
    "id",
    "input",
    "expected",
    "choices",
]

# validate_frame names the failing rows by id, one line per broken rule.
mine = pl.DataFrame(
    {
        "id": ["q1", "q2", "q2"],
        "input": ["2+2?", "3+3?", ""],
        "expected": [1, 5, 0],
        "choices": [["3", "4"], ["5", "6"], ["7", "8"]],
    }
)
try:
    schemas.validate_frame(mine, "multiple_choice", context="my eval set")
except ValidationError as err:
    message = str(err)
    print(message)
    assert "out of range of choices" in message
    assert "ids: q2" in message
else:
    raise AssertionError("expected a ValidationError")
