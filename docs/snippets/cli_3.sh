crucible-pl head gsm8k --split "test[:5]" --columns id,expected
crucible-pl head openai/gsm8k -c main -s test -n 2 --json
crucible-pl head gsm8k --raw -n 3
