"""`et-train` as a script path, for `torchrun` where the package is imported from a checkout, not installed:
    torchrun --nproc_per_node=2 scripts/et_train.py --config dialogue ..."""
import sys
from embedding_trainer.cli import train_cli

if __name__ == '__main__': sys.exit(train_cli())
