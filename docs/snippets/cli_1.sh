crucible-pl --version
crucible-pl list --family math
crucible-pl list --tag code --json
