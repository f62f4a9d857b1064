crucible-pl download gsm8k mmlu
crucible-pl cache ls
crucible-pl cache ls mmlu --json
crucible-pl cache verify
crucible-pl cache rm mmlu --split test --yes
crucible-pl cache rm gsm8k --hub-files --yes
