# Pin a suite: GSM8K's test split and two MMLU subjects, at today's commits.
crucible-pl lock gsm8k mmlu:astronomy:test mmlu:anatomy:test
# Months later, or on another machine: download exactly that, checked.
crucible-pl sync
# Has anything moved on the Hub since? (exit status 1 if so)
crucible-pl lock --check
