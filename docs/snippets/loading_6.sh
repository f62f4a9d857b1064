crucible-pl download mmlu --config astronomy --split test --split dev   # with network access
HF_HUB_OFFLINE=1 crucible-pl head mmlu --config astronomy --split "test[:3]" --columns id,expected
