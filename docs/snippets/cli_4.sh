crucible-pl download mmlu --config astronomy --config anatomy --split test --split dev
crucible-pl download gsm8k --all-splits
crucible-pl --quiet download arc --all-configs --json
HF_HUB_OFFLINE=1 crucible-pl head mmlu -c anatomy -s dev -n 3   # works with the network gone
