"""claimtype's Hydra configs, shipped in the package as ``claimtype.configs`` (YAML files only)."""
