crucible-pl info mmlu --config astronomy
crucible-pl info openai/gsm8k --config main --json
